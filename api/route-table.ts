// The one table of the REST surface. Every row says method, path, role, request schemas, every
// response status and the handler; express serves the rows (mountRoutes) and /openapi.json
// documents the same rows (api/openapi.ts), so nothing is served undocumented or documented
// unserved. The route modules (api/routes/*.ts) export their rows, built from the deps.
//
// A row's request is validated in one place, before its handler runs: path parameters, query and
// JSON body against the row's zod schemas, plus the row's own checks of the body (references to
// the configuration or the vaults), every invalid field listed in one 400. The handler gets the
// parsed values.

import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import type { Role } from '../domain/roles.js';
import { validate, type FieldError } from '../domain/validation.js';
import { requireRole } from './auth.js';
import { badRequest, HttpProblem, routeNotFound } from './problem.js';
import { missingBody } from './validate.js';

export type HttpMethod = 'get' | 'post' | 'delete';
/** Who may call a row: anyone (`open`), or a token whose role includes this one. */
export type Access = 'open' | Role;

/** A response the handler itself writes (not a problem). */
export interface ResponseDoc {
  description: string;
  /** Body schema; JSON unless `contentType` says otherwise. */
  schema?: z.ZodType;
  contentType?: string;
}

/** A problem (application/problem+json) the handler may answer, documented by its status. */
export const PROBLEM = 'problem' as const;
export type ResponseEntry = ResponseDoc | typeof PROBLEM;

/** Problems a handler may answer; 400/401/403/500 are derived from the row (see {@link documentedStatuses}). */
export type HandlerProblemStatus = 400 | 404 | 409 | 501 | 503;

export interface RouteRequest<P, Q, B> {
  params?: P;
  query?: Q;
  body?: B;
  /**
   * Checks of the raw body beyond its schema (a cluster must be configured, a vault must exist),
   * given the schema's errors so a field already invalid is not reported twice. Their errors are
   * listed in the same 400 as the schema's.
   */
  bodyChecks?: (raw: unknown, schemaErrors: readonly FieldError[]) => Promise<FieldError[]> | FieldError[];
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** What a handler receives: the parsed request, and express's objects to answer with. */
export interface RouteContext<P = unknown, Q = unknown, B = unknown> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

interface RouteFields {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/v1/backups/{name}`; see {@link expressPath}. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  role: Access;
  /** Every status the handler answers: its successes, and the problems it throws. */
  responses: { [status: number]: ResponseEntry } & { [S in HandlerProblemStatus]?: typeof PROBLEM };
}

export interface Route extends RouteFields {
  request?: RouteRequest<z.ZodObject, z.ZodObject, z.ZodType>;
  /** Answers the request (or throws an HttpProblem); the parsed values are typed by the row's schemas. */
  handler(ctx: RouteContext): unknown;
}

/** A row whose handler sees its request schemas' parsed types. */
export function route<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  row: RouteFields & {
    request?: RouteRequest<P, Q, B>;
    handler: (ctx: RouteContext<Parsed<P>, Parsed<Q>, Parsed<B>>) => unknown;
  },
): Route {
  return row as Route;
}

/**
 * A method a table path refuses with 405 and an `Allow` header listing the table's methods for
 * it (a vault cannot be modified: PUT and PATCH are 405). Only paths of the table may have one.
 */
export interface Refusal {
  path: string;
  methods: ReadonlyArray<'put' | 'patch'>;
  role: Role;
  detail: string;
}

/** `/v1/backups/{name}` → `/v1/backups/:name`. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

/** `/v1/backups/{name}` → `/v1/backups/x`: a path that matches the row. */
export function filledPath(path: string, value = 'x'): string {
  return path.replace(/\{[^}]+\}/g, value);
}

/** Success statuses of a row: those it documents with a ResponseDoc. */
export function successStatuses(r: Route): number[] {
  return Object.entries(r.responses)
    .filter(([, e]) => e !== PROBLEM)
    .map(([s]) => Number(s));
}

/**
 * Every status a row can answer: what it lists, plus 400 when it has a request to validate,
 * 401 and 403 unless it is open, and 500 (any route can fail unexpectedly).
 */
export function documentedStatuses(r: Route): number[] {
  const statuses = new Set(Object.keys(r.responses).map(Number));
  if (r.request?.params || r.request?.query || r.request?.body) statuses.add(400);
  if (r.request?.body) {
    statuses.add(413); // the body parser's limit
    statuses.add(415); // a body that is not JSON
  }
  if (r.role !== 'open') {
    statuses.add(401);
    statuses.add(403);
    statuses.add(503); // every /v1 route reads or writes through Temporal, which may not answer
  }
  statuses.add(500);
  return [...statuses].sort((a, b) => a - b);
}

/** The request's parsed params, query and body, or a 400 naming every invalid field. */
async function parseRequest(r: Route, req: Request): Promise<{ params: unknown; query: unknown; body: unknown }> {
  const spec = r.request ?? {};
  const errors: FieldError[] = [];
  let params: unknown = undefined;
  let query: unknown = undefined;
  let body: unknown = undefined;
  if (spec.params) {
    const result = validate(spec.params, { ...req.params });
    if (result.success) params = result.data;
    else errors.push(...result.errors);
  }
  if (spec.query) {
    const result = validate(spec.query, { ...req.query });
    if (result.success) query = result.data;
    else errors.push(...result.errors.map((e) => ({ ...e, path: e.path === '(root)' ? '(query)' : e.path })));
  }
  if (spec.body) {
    const raw: unknown = req.body;
    if (raw === undefined) {
      if (errors.length === 0) throw missingBody();
      errors.push(...(missingBody().errors ?? []));
    } else {
      const result = validate(spec.body, raw);
      const schemaErrors = result.success ? [] : result.errors;
      errors.push(...schemaErrors, ...(spec.bodyChecks ? await spec.bodyChecks(raw, schemaErrors) : []));
      if (result.success) body = result.data;
    }
  }
  if (errors.length > 0) throw badRequest(errors);
  return { params, query, body };
}

export interface MountOptions {
  /** Largest JSON body accepted (express.json's `limit`). */
  jsonLimit: string;
  refusals?: readonly Refusal[];
}

const METHOD_ORDER = ['get', 'post', 'put', 'patch', 'delete'];

/** The `Allow` header of a table path: its rows' methods in the usual order, then OPTIONS. */
export function allowHeader(routes: readonly Route[], path: string): string {
  const methods = [...new Set(routes.filter((r) => r.path === path).map((r) => r.method))];
  methods.sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b));
  return [...methods.map((m) => m.toUpperCase()), 'OPTIONS'].join(', ');
}

/**
 * A 400 naming the parameter of a table path whose percent-escape does not decode
 * (`/v1/backups/%ff%fe` → `name`), before express's own matching fails on it without a name.
 */
function undecodableParams(routes: readonly Route[]): RequestHandler {
  const patterns = [...new Set(routes.map((r) => r.path))]
    .filter((path) => path.includes('{'))
    .map((path) => {
      const names: string[] = [];
      const source = path
        .split(/(\{[A-Za-z_][A-Za-z0-9_]*\})/)
        .map((part) => {
          const param = /^\{(.+)\}$/.exec(part);
          if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(param[1] ?? '');
          return '([^/]+)';
        })
        .join('');
      return { names, regex: new RegExp(`^${source}/?$`, 'i') };
    });
  return (req, _res, next) => {
    for (const { names, regex } of patterns) {
      const match = regex.exec(req.path);
      if (!match) continue;
      const errors = names.flatMap((name, i): FieldError[] => {
        const raw = match[i + 1] ?? '';
        try {
          decodeURIComponent(raw);
          return [];
        } catch {
          return [{ path: name, message: `not valid percent-encoding: ${raw}` }];
        }
      });
      if (errors.length > 0) throw badRequest(errors);
    }
    next();
  };
}

/**
 * Registers every row on `router`: the row's role check (the principal comes from the global
 * authentication), then, for rows with a body, the JSON parser (so an anonymous or under-privileged
 * client cannot make the API parse anything), then validation, then the handler. Before the rows,
 * a 400 naming a path parameter that does not percent-decode. After the rows, the refusals (405
 * with their own detail), then for every table path OPTIONS (204 with `Allow`: the path's methods
 * and OPTIONS) and 405 with `Allow` for any other method, both behind the path's least role.
 * Mount {@link unknownRoute} after the router.
 */
export function mountRoutes(router: Router, routes: readonly Route[], options: MountOptions): void {
  router.use(undecodableParams(routes));
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`route table: ${key} appears twice`);
    seen.add(key);
    const chain: RequestHandler[] = [];
    if (r.role !== 'open') chain.push(requireRole(r.role));
    if (r.request?.body) chain.push(express.json({ limit: options.jsonLimit }));
    chain.push(async (req, res) => {
      const parsed = await parseRequest(r, req);
      await r.handler({ ...parsed, req, res });
    });
    router[r.method](expressPath(r.path), ...chain);
  }
  for (const refusal of options.refusals ?? []) {
    if (!routes.some((r) => r.path === refusal.path))
      throw new Error(`route table: refusal of ${refusal.path}, which is not in the table`);
    const allow = allowHeader(routes, refusal.path);
    for (const method of refusal.methods) {
      router[method](expressPath(refusal.path), requireRole(refusal.role), () => {
        throw new MethodNotAllowed(refusal.detail, allow);
      });
    }
  }
  for (const path of new Set(routes.map((r) => r.path))) {
    const allow = allowHeader(routes, path);
    const rows = routes.filter((r) => r.path === path);
    // An anonymous client learns nothing of a path it may not call at all (as for unknown routes).
    const access: RequestHandler[] = rows.some((r) => r.role === 'open') ? [] : [requireRole('viewer')];
    router.options(expressPath(path), ...access, (_req, res) => {
      res.setHeader('Allow', allow);
      res.status(204).end();
    });
    router.all(expressPath(path), ...access, (req) => {
      throw new MethodNotAllowed(`${req.method} is not allowed on ${path}; its methods are ${allow}`, allow);
    });
  }
}

/**
 * What answers a request no row matched, mounted after the table: 401 without valid credentials
 * (an anonymous client learns nothing, not even that a route does not exist), else 404.
 */
export const unknownRoute: readonly RequestHandler[] = [requireRole('viewer'), routeNotFound];

export class MethodNotAllowed extends HttpProblem {
  constructor(detail: string, allow: string) {
    super({ status: 405, code: 'MethodNotAllowed', detail, headers: { Allow: allow } });
  }

  override get title(): string {
    return 'Method Not Allowed';
  }
}

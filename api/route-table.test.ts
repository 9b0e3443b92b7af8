// The route table against the app that serves it (createApp with a stand-in Temporal client, in
// process): every row is served with its role and its validation, every status it answers is one
// it documents, and express serves nothing that is not a row (or a declared 405 refusal of a row's
// path). Together with api/openapi.test.ts (document == docs/api.md) this closes the loop
// contract == documented == served.

import { ScheduleNotFoundError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Router } from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.js';
import type { Role } from '../domain/roles.js';
import { hashToken } from './auth.js';
import type { ApiDeps } from './deps.js';
import { buildOpenApiDocument } from './openapi.js';
import { allowHeader, documentedStatuses, expressPath, filledPath, type Route } from './route-table.js';
import { routeTable } from './routes/index.js';
import { createApiMetrics } from './metrics.js';
import { createApp } from './server.js';
import { inject, type InjectResponse } from './testing/inject.js';

const TOKENS: Record<Role, string> = { viewer: 'view-token', operator: 'op-token', admin: 'admin-token' };
/** The role just below each one, for the 403 probe. */
const LOWER: Partial<Record<Role, Role>> = { operator: 'viewer', admin: 'operator' };

/** A Temporal client that knows no workflow and starts nothing successfully. */
function stubClient(): Client {
  const client = {
    options: { namespace: 'default' },
    workflow: {
      start: async () => {
        throw new Error('not in this test');
      },
      getHandle: (workflowId: string) => ({
        describe: async () => {
          throw new WorkflowNotFoundError('not found', workflowId, undefined);
        },
        query: async () => {
          throw new WorkflowNotFoundError('not found', workflowId, undefined);
        },
        executeUpdate: async () => {
          throw new WorkflowNotFoundError('not found', workflowId, undefined);
        },
      }),
      list: async function* () {},
    },
    schedule: {
      getHandle: (id: string) => {
        const missing = async () => {
          throw new ScheduleNotFoundError(`schedule ${id} not found`, id);
        };
        return { describe: missing, pause: missing, unpause: missing, trigger: missing };
      },
      list: async function* () {},
    },
    workflowService: {
      getSystemInfo: async () => ({}),
      describeTaskQueue: async () => ({ pollers: [] }),
    },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
  };
  return client as unknown as Client;
}

function deps(): ApiDeps {
  return {
    client: stubClient(),
    config: configFromObject({
      clusters: [{ name: 'a' }],
      tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: role, sha256: hashToken(token), role })),
    }),
    logger: pino({ level: 'silent' }),
    vaults: { get: async () => undefined, list: async () => [] },
    temporalUiUrl: '',
  };
}

const apiDeps = deps();
const app = createApp(apiDeps);
const { routes, refusals } = routeTable(apiDeps, { metrics: createApiMetrics({ defaultMetrics: false }) });

function call(r: Route, options: { as?: Role; path?: string; query?: string; body?: unknown } = {}) {
  return inject(app, {
    method: r.method,
    url: (options.path ?? filledPath(r.path, 'probe-1')) + (options.query ?? ''),
    headers: options.as ? { authorization: `Bearer ${TOKENS[options.as]}` } : {},
    body: options.body ?? (r.request?.body ? {} : undefined),
  });
}

/** The 404 of a request no row matched (api/problem.ts routeNotFound). */
function isRouteNotFound(res: InjectResponse): boolean {
  return res.status === 404 && /^route /.test(String((res.json() as { detail?: unknown }).detail));
}

const rowName = (r: Route) => `${r.method.toUpperCase()} ${r.path}`;

describe('every row of the route table, against the running app', () => {
  it.each(routes.map((r) => [rowName(r), r] as const))('%s is served as documented', async (_name, r) => {
    const documented = documentedStatuses(r);
    const as: Role = r.role === 'open' ? 'viewer' : r.role;

    // Served: the method and path reach the row, and what it answers is documented (here: a 2xx,
    // or the 400/404/501 of an empty system, never a 500 that would hide the row's own answer).
    const served = await call(r, { as });
    expect(isRouteNotFound(served), served.text).toBe(false);
    expect(served.status, served.text).not.toBe(405);
    expect(served.status, served.text).not.toBe(500);
    expect(documented, served.text).toContain(served.status);

    // Authentication: 401 without a token unless the row is open; an open row ignores a bad token.
    const anonymous = await call(r);
    if (r.role === 'open') {
      expect(anonymous.status).not.toBe(401);
      const stale = await inject(app, { method: r.method, url: r.path, headers: { authorization: 'Bearer stale' } });
      expect(stale.status).not.toBe(401);
    } else {
      expect(anonymous.status, anonymous.text).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    }

    // Authorization: 403 for the role below the row's.
    const lower = r.role === 'open' ? undefined : LOWER[r.role];
    if (lower !== undefined) {
      const forbidden = await call(r, { as: lower });
      expect(forbidden.status, forbidden.text).toBe(403);
    }

    // Bad input: a name that is not one, an unknown filter, a body that is not the schema's. Each is
    // refused with a 400 problem before the handler runs, and 400 is documented.
    const probes: Array<Parameters<typeof call>[1]> = [];
    if (r.request?.params) probes.push({ path: filledPath(r.path, 'Not_A_Name') });
    if (r.request?.query) probes.push({ query: '?no-such-filter=1' });
    if (r.request?.body) probes.push({ body: { 'no-such-field': 1 } });
    for (const probe of probes) {
      const res = await call(r, { ...probe, as });
      expect(res.status, `${JSON.stringify(probe)}: ${res.text}`).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((res.json() as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
      expect(documented).toContain(res.status);
    }
    // A body beyond the limit is a 413, a charset the parser cannot read a 415; both documented.
    if (r.request?.body) {
      const url = filledPath(r.path, 'probe-1');
      const auth = { authorization: `Bearer ${TOKENS[as]}` };
      const large = await inject(app, {
        method: r.method,
        url,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
      });
      expect(large.status, large.text).toBe(413);
      const charset = await inject(app, {
        method: r.method,
        url,
        headers: { ...auth, 'content-type': 'application/json; charset=latin1' },
        body: '{}',
      });
      expect(charset.status, charset.text).toBe(415);
      expect(documented).toEqual(expect.arrayContaining([413, 415]));
    }
    // A bad percent-escape in a parameter is a 400 naming the parameter, never a 500: a malformed
    // escape (%zz) and a well-formed one that is not UTF-8 (%ff%fe).
    if (r.request?.params) {
      const names = [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const bad of ['%zz', '%ff%fe']) {
        const res = await call(r, { as, path: filledPath(r.path, bad) });
        expect(res.status, `${bad}: ${res.text}`).toBe(400);
        expect((res.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(names);
        expect(documented).toContain(res.status);
      }
    }
  });

  it('has one row per method and path, and unique operation ids', () => {
    const keys = routes.map(rowName);
    expect(new Set(keys).size).toBe(keys.length);
    const ids = routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is what /openapi.json serves', async () => {
    const res = await inject(app, { url: '/openapi.json' });
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(routes))));
  });
});

/** Every `method path` express has a route for, in every router mounted on the app. */
function mountedRoutes(router: Router): string[] {
  const out: string[] = [];
  for (const layer of router.stack) {
    const route = layer.route as { path: string; methods: Record<string, boolean> } | undefined;
    if (route) {
      for (const [method, on] of Object.entries(route.methods)) if (on) out.push(`${method} ${route.path}`);
    }
    const nested = (layer.handle as { stack?: unknown }).stack;
    if (Array.isArray(nested)) out.push(...mountedRoutes(layer.handle as unknown as Router));
  }
  return out;
}

describe('the app serves nothing but the table', () => {
  it("every express route is a row of the table, a declared refusal of a row path, or a row path's OPTIONS and 405", () => {
    const mounted = mountedRoutes((app as unknown as { router: Router }).router);
    const rows = routes.map((r) => `${r.method} ${expressPath(r.path)}`);
    const refused = refusals.flatMap((f) => f.methods.map((m) => `${m} ${expressPath(f.path)}`));
    const paths = [...new Set(routes.map((r) => expressPath(r.path)))];
    const perPath = paths.flatMap((p) => [`options ${p}`, `_all ${p}`]);
    expect([...mounted].sort()).toEqual([...rows, ...refused, ...perPath].sort());
    for (const f of refusals) expect(routes.map((r) => r.path)).toContain(f.path);
  });

  it('answers unknown routes with 401 without a token and a 404 problem with one, never 500', async () => {
    for (const url of [
      '/v1/nothing',
      '/v1/%zz',
      '/v1/%ff%fe',
      '/%E0%A4%A',
      '/v1/backups/x/y/z',
      '/v1/backups/%ff%fe/nothing',
    ]) {
      expect((await inject(app, { url })).status, url).toBe(401);
      const res = await inject(app, { url, headers: { authorization: `Bearer ${TOKENS.viewer}` } });
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });
});

/** Every path of the table with the rows that serve it. */
const paths = [...new Set(routes.map((r) => r.path))].map((path) => ({
  path,
  rows: routes.filter((r) => r.path === path),
}));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

describe('every path of the table: OPTIONS and the methods it lacks', () => {
  it.each(paths.map((p) => [p.path, p] as const))('%s', async (path, { rows }) => {
    const allow = allowHeader(routes, path);
    const served = rows.map((r) => r.method.toUpperCase());
    // OPTIONS lists exactly the table's methods for the path, plus OPTIONS.
    expect(allow.split(', ').sort()).toEqual([...served, 'OPTIONS'].sort());
    const open = rows.some((r) => r.role === 'open');
    const headers = { authorization: `Bearer ${TOKENS.viewer}` };
    const url = filledPath(path, 'probe-1');

    const options = await inject(app, { method: 'OPTIONS', url, headers });
    expect(options.status, options.text).toBe(204);
    expect(options.headers.allow).toBe(allow);
    expect(options.text).toBe('');

    // Any other method is a 405 with the same Allow (a declared refusal keeps its own detail);
    // HEAD is served wherever GET is, as HTTP asks.
    const refused = new Set(
      refusals.filter((f) => f.path === path).flatMap((f) => f.methods.map((m) => m.toUpperCase())),
    );
    for (const method of METHODS.filter((m) => !served.includes(m) && m !== 'OPTIONS')) {
      if (method === 'HEAD' && served.includes('GET')) continue;
      const as = refused.has(method) ? { authorization: `Bearer ${TOKENS.admin}` } : headers;
      const res = await inject(app, { method, url, headers: as });
      expect(res.status, `${method} ${url}: ${res.text}`).toBe(405);
      expect(res.headers.allow, method).toBe(allow);
      if (method !== 'HEAD') {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((res.json() as { code: string }).code).toBe('MethodNotAllowed');
      }
    }

    // Without a token: an open path answers the same; any other path 401, as an unknown route does.
    const anonymous = await inject(app, { method: 'OPTIONS', url });
    expect(anonymous.status).toBe(open ? 204 : 401);
    const anonymousPut = await inject(app, { method: 'PUT', url });
    if (!served.includes('PUT')) expect(anonymousPut.status).toBe(open ? 405 : 401);
  });

  it('leaves unknown paths 404, whatever the method', async () => {
    for (const method of ['OPTIONS', 'PUT', 'GET']) {
      const res = await inject(app, {
        method,
        url: '/v1/nothing',
        headers: { authorization: `Bearer ${TOKENS.viewer}` },
      });
      expect(res.status, method).toBe(404);
    }
  });
});

// Bearer-token authentication and role-based authorization. Tokens are configured as SHA-256
// hex digests (`config.tokens: [{name, sha256, role}]`), never in clear. Roles are ordered:
// admin ⊇ operator ⊇ viewer. Reading needs viewer; starting, cancelling and deleting tasks
// needs operator; writing vaults and clusters needs admin. Health, readiness, the OpenAPI
// document and metrics are open.

import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { roleAtLeast, type Role } from '../domain/roles.js';
import { forbidden, unauthorized } from './problem.js';

export interface TokenEntry {
  name: string;
  /** Lowercase hex SHA-256 of the token. */
  sha256: string;
  role: Role;
}

/** Who made the request, as `res.locals.principal`. */
export interface Principal {
  name: string;
  role: Role;
}

/** Paths anyone may read, with or without a token. */
export const OPEN_PATHS: readonly string[] = ['/healthz', '/readyz', '/openapi.json', '/metrics'];

/** Paths whose writes are admin-only. */
const ADMIN_COLLECTIONS: readonly string[] = ['/v1/vaults', '/v1/clusters'];

/** The SHA-256 hex digest to put in `config.tokens[].sha256` for `token`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The path as the router matches it, for policy decisions: percent-decoded, lower-cased
 * (express routes are case-insensitive) and without trailing slashes.
 */
function canonicalPath(path: string): string {
  let p = path;
  try {
    p = decodeURIComponent(p);
  } catch {
    // keep it encoded; it will not match a route either
  }
  p = p.toLowerCase().replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** The role `method path` needs, or `undefined` for the open paths. */
export function requiredRole(method: string, path: string): Role | undefined {
  const p = canonicalPath(path);
  const m = method.toUpperCase();
  const read = m === 'GET' || m === 'HEAD' || m === 'OPTIONS';
  if (read && OPEN_PATHS.includes(p)) return undefined;
  if (read) return 'viewer';
  if (ADMIN_COLLECTIONS.some((c) => p === c || p.startsWith(`${c}/`))) return 'admin';
  return 'operator';
}

/** The authenticated principal of this request, if any. */
export function principalOf(res: Response): Principal | undefined {
  const p: unknown = res.locals.principal;
  return typeof p === 'object' && p !== null ? (p as Principal) : undefined;
}

/** Extracts the token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(header);
  return m?.[1];
}

/**
 * Authenticates the bearer token against `tokens` and stores the principal in
 * `res.locals.principal`. Requests to the open paths pass without a token; others get 401.
 */
export function authenticate(tokens: readonly TokenEntry[]): RequestHandler {
  const byHash = new Map<string, Principal>();
  for (const t of tokens) byHash.set(t.sha256.toLowerCase(), { name: t.name, role: t.role });
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (requiredRole(req.method, req.path) === undefined) {
      next(); // open paths ignore credentials, so a stale scraper token does not break /metrics
      return;
    }
    if (header === undefined) {
      next(unauthorized('A bearer token is required: Authorization: Bearer <token>'));
      return;
    }
    const token = bearerToken(header);
    const principal = token === undefined ? undefined : byHash.get(hashToken(token));
    if (principal === undefined) {
      next(
        unauthorized(
          token === undefined ? 'The Authorization header is not "Bearer <token>"' : 'The token is not valid',
          true,
        ),
      );
      return;
    }
    res.locals.principal = principal;
    next();
  };
}

/** Lets the request through when its principal's role includes `role`; else 401/403. */
export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    if (principal === undefined) {
      next(unauthorized());
      return;
    }
    if (!roleAtLeast(principal.role, role)) {
      next(forbidden(`Role ${principal.role} may not ${req.method} ${req.path}; it needs ${role}`));
      return;
    }
    next();
  };
}

/**
 * Authentication plus the path policy of {@link requiredRole}, for mounting once in front of
 * every route: `app.use(authorize(config.tokens))`.
 */
export function authorize(tokens: readonly TokenEntry[]): RequestHandler {
  const authn = authenticate(tokens);
  return (req, res, next) => {
    authn(req, res, (err?: unknown) => {
      if (err !== undefined) {
        next(err);
        return;
      }
      const role = requiredRole(req.method, req.path);
      if (role === undefined) {
        next();
        return;
      }
      requireRole(role)(req, res, next);
    });
  };
}

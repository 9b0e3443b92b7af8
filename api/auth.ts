// Bearer-token authentication and role-based authorization. Tokens are configured as SHA-256
// hex digests (`config.tokens: [{name, sha256, role}]`), never in clear. Roles are ordered:
// admin ⊇ operator ⊇ viewer. Which role a route needs is in its row of the route table
// (api/route-table.ts): authentication is global, authorization per route.

import { createHash } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { roleAtLeast, type Role } from '../domain/roles.js';
import { forbidden, HttpProblem, unauthorized } from './problem.js';

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

/** The SHA-256 hex digest to put in `config.tokens[].sha256` for `token`. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
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

/** Why the request's credentials were refused, for the routes that need them. */
function authProblemOf(res: Response): HttpProblem | undefined {
  const p: unknown = res.locals.authProblem;
  return p instanceof HttpProblem ? p : undefined;
}

/**
 * Authenticates the bearer token against `tokens`, once, in front of every route: the principal
 * goes to `res.locals.principal`. Nothing is refused here: an open route ignores credentials (a
 * stale scraper token does not break /metrics); every other route, and the 404 of an unknown one,
 * answers 401 through {@link requireRole} when the token is missing or not valid.
 */
export function authenticate(tokens: readonly TokenEntry[]): RequestHandler {
  const byHash = new Map<string, Principal>();
  for (const t of tokens) byHash.set(t.sha256.toLowerCase(), { name: t.name, role: t.role });
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      next();
      return;
    }
    const token = bearerToken(header);
    const principal = token === undefined ? undefined : byHash.get(hashToken(token));
    if (principal === undefined) {
      res.locals.authProblem = unauthorized(
        token === undefined ? 'The Authorization header is not "Bearer <token>"' : 'The token is not valid',
        true,
      );
    } else {
      res.locals.principal = principal;
    }
    next();
  };
}

/** Lets the request through when its principal's role includes `role`; else 401/403. */
export function requireRole(role: Role): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    if (principal === undefined) {
      next(authProblemOf(res) ?? unauthorized('A bearer token is required: Authorization: Bearer <token>'));
      return;
    }
    if (!roleAtLeast(principal.role, role)) {
      next(forbidden(`Role ${principal.role} may not ${req.method} ${req.path}; it needs ${role}`));
      return;
    }
    next();
  };
}

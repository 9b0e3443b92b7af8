import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { authenticate, bearerToken, hashToken, requireRole, type TokenEntry } from './auth.js';
import { ROLES, roleAtLeast } from '../domain/roles.js';
import { tokenConfigEntry } from './hash-token.js';
import { problemHandler } from './problem.js';
import { mountRoutes, unknownRoute } from './route-table.js';
import { inject } from './testing/inject.js';
import { inertRouteTable } from './testing/table.js';

const tokens: TokenEntry[] = [
  { name: 'alice', sha256: hashToken('viewer-token'), role: 'viewer' },
  { name: 'bob', sha256: hashToken('operator-token'), role: 'operator' },
  { name: 'root', sha256: hashToken('admin-token').toUpperCase(), role: 'admin' },
];

/** The real table's paths and roles, every handler answering 200 and no request validated. */
function appWithPolicy() {
  const a = express();
  a.use(authenticate(tokens));
  const { routes, refusals } = inertRouteTable();
  const router = express.Router();
  mountRoutes(
    router,
    routes.map((r) => ({
      ...r,
      request: undefined,
      handler: ({ res }) => {
        res.json({ ok: true, principal: res.locals.principal ?? null });
      },
    })),
    { jsonLimit: '1mb', refusals },
  );
  a.use(router);
  a.use(...unknownRoute);
  a.use(problemHandler({ logger: { error: vi.fn() } }));
  return a;
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('roles', () => {
  it('are ordered admin ⊇ operator ⊇ viewer', () => {
    expect(ROLES).toEqual(['viewer', 'operator', 'admin']);
    expect(roleAtLeast('admin', 'viewer')).toBe(true);
    expect(roleAtLeast('admin', 'operator')).toBe(true);
    expect(roleAtLeast('operator', 'viewer')).toBe(true);
    expect(roleAtLeast('operator', 'admin')).toBe(false);
    expect(roleAtLeast('viewer', 'operator')).toBe(false);
  });

  it('hashToken is sha256 hex', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(tokenConfigEntry('ci', 'operator', 'abc')).toBe(
      '- name: "ci"\n  sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n  role: operator\n',
    );
  });

  it('bearerToken parses the header', () => {
    expect(bearerToken('Bearer abc.def-_~+/=')).toBe('abc.def-_~+/=');
    expect(bearerToken('bearer   xyz ')).toBe('xyz');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('authentication and the roles of the route table', () => {
  const a = appWithPolicy();

  it.each(['/healthz', '/readyz', '/openapi.json', '/metrics'])(
    'leaves %s open, even with a bad token',
    async (url) => {
      expect((await inject(a, { url })).status).toBe(200);
      expect((await inject(a, { url, headers: bearer('stale') })).status).toBe(200);
    },
  );

  it('answers 401 without a token, with a challenge', async () => {
    const res = await inject(a, { url: '/v1/backups' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="backup-center"');
    expect(res.json()).toMatchObject({ code: 'Unauthorized', status: 401 });
  });

  it('answers 401 for an unknown token or another scheme', async () => {
    const res = await inject(a, { url: '/v1/backups', headers: bearer('nope') });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('invalid_token');
    expect((await inject(a, { url: '/v1/backups', headers: { authorization: 'Basic eDp5' } })).status).toBe(401);
  });

  it('lets a viewer read but not start or delete tasks', async () => {
    const get = await inject(a, { url: '/v1/backups/b1', headers: bearer('viewer-token') });
    expect(get.status).toBe(200);
    expect(get.json()).toMatchObject({ principal: { name: 'alice', role: 'viewer' } });
    const post = await inject(a, { method: 'POST', url: '/v1/backups', headers: bearer('viewer-token'), body: {} });
    expect(post.status).toBe(403);
    expect(post.json()).toMatchObject({
      code: 'Forbidden',
      detail: 'Role viewer may not POST /v1/backups; it needs operator',
    });
  });

  it('lets an operator run tasks but not write vaults', async () => {
    expect(
      (await inject(a, { method: 'POST', url: '/v1/restores', headers: bearer('operator-token'), body: {} })).status,
    ).toBe(200);
    expect(
      (await inject(a, { method: 'DELETE', url: '/v1/backups/b1', headers: bearer('operator-token') })).status,
    ).toBe(200);
    expect(
      (await inject(a, { method: 'POST', url: '/v1/schedules/p/pause', headers: bearer('operator-token') })).status,
    ).toBe(200);
    expect(
      (await inject(a, { method: 'POST', url: '/v1/vaults', headers: bearer('operator-token'), body: {} })).status,
    ).toBe(403);
    expect(
      (await inject(a, { method: 'POST', url: '/V1/VAULTS', headers: bearer('operator-token'), body: {} })).status,
    ).toBe(403);
    expect((await inject(a, { method: 'DELETE', url: '/v1/vaults/v', headers: bearer('operator-token') })).status).toBe(
      403,
    );
  });

  it('lets an admin do everything (stored hash compared case-insensitively)', async () => {
    expect(
      (await inject(a, { method: 'POST', url: '/v1/vaults', headers: bearer('admin-token'), body: {} })).status,
    ).toBe(200);
    expect(
      (await inject(a, { method: 'POST', url: '/v1/backups', headers: bearer('admin-token'), body: {} })).status,
    ).toBe(200);
    expect((await inject(a, { url: '/v1/vaults', headers: bearer('admin-token') })).status).toBe(200);
  });

  it('cannot be dodged by case, trailing slashes or encoding', async () => {
    const op = bearer('operator-token');
    expect((await inject(a, { method: 'POST', url: '/v1/vaults/', headers: op, body: {} })).status).toBe(403);
    // Paths match whatever their case (express): a method the path lacks is a 405, after the role check.
    expect((await inject(a, { method: 'POST', url: '/V1/Clusters', headers: op })).status).toBe(405);
    expect((await inject(a, { method: 'POST', url: '/V1/Clusters' })).status).toBe(401);
    // An escaped path matches no row: nothing runs, whatever the role.
    expect((await inject(a, { method: 'DELETE', url: '/v1/%76aults/x', headers: op })).status).toBe(404);
    expect((await inject(a, { method: 'DELETE', url: '/v1/%76aults/x' })).status).toBe(401);
    expect((await inject(a, { url: '/v1/%zz', headers: bearer('viewer-token') })).status).toBe(404);
  });

  it('answers 401 for an unknown route without a token, 404 with one', async () => {
    expect((await inject(a, { url: '/v1/nothing' })).status).toBe(401);
    expect((await inject(a, { url: '/v1/nothing', headers: bearer('nope') })).status).toBe(401);
    // An open path answers a method it lacks with 405 to anyone.
    const post = await inject(a, { method: 'POST', url: '/healthz' });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, OPTIONS']);
    expect((await inject(a, { url: '/v1/nothing', headers: bearer('viewer-token') })).status).toBe(404);
  });

  it('refuses to modify a vault with 405 and the methods of the table, for admins', async () => {
    const put = await inject(a, { method: 'PUT', url: '/v1/vaults/v', headers: bearer('admin-token'), body: {} });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, DELETE, OPTIONS');
    const patch = await inject(a, { method: 'PATCH', url: '/v1/vaults', headers: bearer('admin-token'), body: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.allow).toBe('GET, POST, OPTIONS');
    expect((await inject(a, { method: 'PUT', url: '/v1/vaults/v', headers: bearer('operator-token') })).status).toBe(
      403,
    );
  });
});

describe('requireRole on a single route', () => {
  it('needs authenticate first, then checks the role', async () => {
    const a = express();
    a.post('/unauthenticated', requireRole('viewer'), (_req, res) => {
      res.end();
    });
    a.use(authenticate(tokens));
    a.post('/admin-only', requireRole('admin'), (_req, res) => {
      res.json({ ok: true });
    });
    a.use(problemHandler({ logger: { error: vi.fn() } }));
    expect((await inject(a, { method: 'POST', url: '/unauthenticated' })).status).toBe(401);
    expect((await inject(a, { method: 'POST', url: '/admin-only', headers: bearer('operator-token') })).status).toBe(
      403,
    );
    expect((await inject(a, { method: 'POST', url: '/admin-only', headers: bearer('admin-token') })).status).toBe(200);
  });
});

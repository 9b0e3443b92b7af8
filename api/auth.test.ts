import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { authenticate, authorize, bearerToken, hashToken, requireRole, requiredRole, type TokenEntry } from './auth.js';
import { ROLES, roleAtLeast } from '../domain/roles.js';
import { tokenConfigEntry } from './hash-token.js';
import { apiRoutes, expressPath } from './openapi.js';
import { problemHandler } from './problem.js';
import { inject } from './testing/inject.js';

const tokens: TokenEntry[] = [
  { name: 'alice', sha256: hashToken('viewer-token'), role: 'viewer' },
  { name: 'bob', sha256: hashToken('operator-token'), role: 'operator' },
  { name: 'root', sha256: hashToken('admin-token').toUpperCase(), role: 'admin' },
];

function appWithPolicy() {
  const a = express();
  a.use(authorize(tokens));
  const ok: express.RequestHandler = (_req, res) => {
    res.json({ ok: true, principal: res.locals.principal ?? null });
  };
  for (const route of apiRoutes) a[route.method](expressPath(route.path), ok);
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

describe('requiredRole', () => {
  it('matches the role of every route in the route table', () => {
    for (const route of apiRoutes) {
      const concrete = route.path.replace(/\{[^}]+\}/g, 'x');
      expect([route.method, route.path, requiredRole(route.method, concrete) ?? null]).toEqual([
        route.method,
        route.path,
        route.role,
      ]);
    }
  });

  it('cannot be dodged by case, trailing slashes or encoding', () => {
    expect(requiredRole('POST', '/V1/Vaults')).toBe('admin');
    expect(requiredRole('POST', '/v1/vaults/')).toBe('admin');
    expect(requiredRole('DELETE', '/v1/%76aults/x')).toBe('admin');
    expect(requiredRole('POST', '/v1/clusters')).toBe('admin');
    expect(requiredRole('GET', '/metrics')).toBeUndefined();
    expect(requiredRole('POST', '/metrics')).toBe('operator');
    expect(requiredRole('GET', '/v1/%zz')).toBe('viewer');
  });
});

describe('authorize', () => {
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

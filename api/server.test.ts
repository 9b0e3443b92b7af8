// The HTTP plumbing of createApp without a Temporal server: open endpoints, authentication and
// roles, request ids, metrics, body limits, problems. The Temporal client is a stand-in that
// records starts; everything that needs a real server is in test/integration/api.test.ts.

import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.js';
import { hashToken } from './auth.js';
import type { ApiDeps } from './deps.js';
import { createApp, startApi } from './server.js';
import { inject, type InjectRequest } from './testing/inject.js';
import type { VaultCreate } from '../domain/vault.js';

const TOKENS = { viewer: 'view-token', operator: 'op-token', admin: 'admin-token' } as const;

interface Started {
  workflowType: string;
  options: { workflowId: string; args: unknown[] };
}

function stubClient(opts: { startFails?: unknown; systemInfoFails?: boolean } = {}) {
  const started: Started[] = [];
  const client = {
    options: { namespace: 'default' },
    workflow: {
      start: async (workflowType: string, options: Started['options']) => {
        if (opts.startFails) throw opts.startFails;
        started.push({ workflowType, options });
        return { firstExecutionRunId: 'run-1', workflowId: options.workflowId };
      },
      getHandle: (workflowId: string) => ({
        describe: async () => {
          throw new WorkflowNotFoundError('not found', workflowId, undefined);
        },
      }),
      list: async function* () {},
    },
    workflowService: {
      getSystemInfo: async () => {
        if (opts.systemInfoFails) throw Object.assign(new Error('unavailable'), { code: 14, details: 'down' });
        return {};
      },
    },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
  };
  return { client: client as unknown as Client, started };
}

function deps(client: Client = stubClient().client, vaults: VaultCreate[] = []): ApiDeps {
  return {
    client,
    config: configFromObject({
      clusters: [{ name: 'a' }, { name: 'b' }],
      tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: role, sha256: hashToken(token), role })),
    }),
    logger: pino({ level: 'silent' }),
    vaults: { get: async (n) => vaults.find((v) => v.name === n), list: async () => vaults },
    temporalUiUrl: 'http://ui.example',
  };
}

function app(opts: Parameters<typeof stubClient>[0] = {}, vaults: VaultCreate[] = []) {
  const { client, started } = stubClient(opts);
  const express = createApp(deps(client, vaults));
  const call = (req: InjectRequest & { as?: keyof typeof TOKENS }) =>
    inject(express, {
      ...req,
      headers: { ...(req.as ? { authorization: `Bearer ${TOKENS[req.as]}` } : {}), ...req.headers },
    });
  return { call, started };
}

const VAULT: VaultCreate = { name: 'v', backend: 'filesystem', path: '/nonexistent-vault-for-unit-tests' };

describe('open endpoints', () => {
  it('/healthz answers without a token and echoes a request id', async () => {
    const { call } = app();
    const res = await call({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const fresh = await call({ url: '/healthz', headers: { 'x-request-id': 'no spaces allowed' } });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/readyz is 200 when Temporal answers and a 503 problem when it does not', async () => {
    expect((await app().call({ url: '/readyz' })).status).toBe(200);
    const down = await app({ systemInfoFails: true }).call({ url: '/readyz' });
    expect(down.status).toBe(503);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.json()).toMatchObject({ code: 'TemporalUnavailable', status: 503 });
  });

  it('/openapi.json is the OpenAPI 3.1 document of every route', async () => {
    const res = await app().call({ url: '/openapi.json' });
    expect(res.status).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/backups', '/v1/restores/{name}/items']));
  });

  it('/metrics counts requests by route pattern, never by raw path (over a real socket)', async () => {
    const api = await startApi({ ...deps(), config: { ...deps().config, api: { host: '127.0.0.1', port: 0 } } });
    try {
      const auth = { authorization: `Bearer ${TOKENS.viewer}` };
      expect((await fetch(`${api.url}/v1/backups/some-name`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
      const res = await fetch(`${api.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('backup_center_api_http_requests_total{method="GET",route="/healthz",status="200"} 1');
      expect(text).toContain('route="/v1/backups/:name",status="404"');
      expect(text).not.toContain('some-name');
      expect(text).toContain('backup_center_api_http_request_duration_seconds_bucket');
      expect(text).toContain('process_cpu_user_seconds_total');
    } finally {
      await api.close();
    }
  });
});

describe('authentication and roles', () => {
  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const res = await app().call({ url: '/v1/backups' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ code: 'Unauthorized' });
  });

  it('refuses an unknown token with 401', async () => {
    const res = await app().call({ url: '/v1/backups', headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
  });

  it('lets a viewer read but not start a backup (403)', async () => {
    const { call, started } = app();
    const res = await call({ method: 'POST', url: '/v1/backups', as: 'viewer', body: { name: 'x' } });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ code: 'Forbidden' });
    expect(started).toEqual([]);
  });

  it('needs admin for vaults', async () => {
    const res = await app().call({
      method: 'POST',
      url: '/v1/vaults',
      as: 'operator',
      body: { name: 'v2', backend: 'filesystem', path: 'v2' },
    });
    expect(res.status).toBe(403);
  });
});

describe('POST /v1/backups', () => {
  it('lists every invalid field, including unknown clusters and vaults, and starts nothing', async () => {
    const { call, started } = app();
    const res = await call({
      method: 'POST',
      url: '/v1/backups',
      as: 'operator',
      body: { name: 'Bad_Name', cluster: 'nope', vault: 'missing', ttl: 'forever', extra: 1 },
    });
    expect(res.status).toBe(400);
    const problem = res.json() as { code: string; errors: Array<{ path: string; message: string }> };
    expect(problem.code).toBe('InvalidSpec');
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['cluster', 'extra', 'name', 'ttl', 'vault']);
    expect(problem.errors.find((e) => e.path === 'cluster')?.message).toContain('configured: a, b');
    expect(started).toEqual([]);
  });

  it('refuses a body that is not JSON, and a missing body, with 400', async () => {
    const { call, started } = app();
    const malformed = await call({
      method: 'POST',
      url: '/v1/backups',
      as: 'operator',
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'MalformedBody' });
    const missing = await call({ method: 'POST', url: '/v1/backups', as: 'operator' });
    expect(missing.status).toBe(400);
    expect(started).toEqual([]);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await app().call({
      method: 'POST',
      url: '/v1/backups',
      as: 'operator',
      body: { name: 'big', padding: 'x'.repeat(1_100_000) },
    });
    expect(res.status).toBe(413);
  });

  it('starts BackupWorkflow as backup/<name> with the configured task options and answers 202', async () => {
    const { call, started } = app({}, [VAULT]);
    const res = await call({
      method: 'POST',
      url: '/v1/backups',
      as: 'operator',
      body: { name: 'nginx-1', cluster: 'a', vault: 'v', includedNamespaces: ['shop'] },
    });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/v1/backups/nginx-1');
    expect(res.json()).toMatchObject({
      name: 'nginx-1',
      spec: { cluster: 'a', vault: 'v', backupType: 'AppBackup', ttl: '720h0m0s', includedNamespaces: ['shop'] },
      status: {
        phase: 'InProgress',
        progress: { totalItems: 0, itemsBackedUp: 0 },
        links: { temporalUi: 'http://ui.example/namespaces/default/workflows/backup%2Fnginx-1/run-1/history' },
      },
    });
    expect(started).toHaveLength(1);
    expect(started[0]?.workflowType).toBe('BackupWorkflow');
    expect(started[0]?.options.workflowId).toBe('backup/nginx-1');
    expect(started[0]?.options.args[0]).toMatchObject({
      spec: { name: 'nginx-1' },
      options: { subtaskTimeoutMinutes: 60, ownNamespace: 'backup-center', resourceReadyTimeoutMinutes: 10 },
    });
  });

  it('answers 409 with the FAQ wording when Temporal already has the workflow id', async () => {
    const { call } = app(
      { startFails: new WorkflowExecutionAlreadyStartedError('exists', 'backup/nginx-1', 'BackupWorkflow') },
      [VAULT],
    );
    const res = await call({
      method: 'POST',
      url: '/v1/backups',
      as: 'operator',
      body: { name: 'nginx-1', cluster: 'a', vault: 'v' },
    });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'NameAlreadyUsed' });
    expect((res.json() as { detail: string }).detail).toMatch(/^The name is already used/);
  });
});

describe('other routes', () => {
  it('conversions are listed as not built (501), after validating the body', async () => {
    const { call } = app();
    const bad = await call({ method: 'POST', url: '/v1/conversions', as: 'operator', body: { backupName: 'b' } });
    expect(bad.status).toBe(400);
    const res = await call({
      method: 'POST',
      url: '/v1/conversions',
      as: 'operator',
      body: { backupName: 'b', cluster: 'a', storageClassMapping: { x: 'y' } },
    });
    expect(res.status).toBe(501);
    expect(res.json()).toMatchObject({ code: 'NotBuilt', title: 'Not Implemented' });
    expect((await call({ url: '/v1/conversions/b', as: 'viewer' })).status).toBe(501);
  });

  it('answers 404 problems for unknown routes, backups, restores and clusters', async () => {
    const { call } = app();
    for (const url of ['/v1/nothing', '/v1/backups/missing', '/v1/restores/missing', '/v1/clusters/zzz']) {
      const res = await call({ url, as: 'viewer' });
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
    }
  });

  it('validates names in paths and list queries', async () => {
    const { call } = app();
    expect((await call({ url: '/v1/restores/UPPER', as: 'viewer' })).status).toBe(400);
    const res = await call({ url: '/v1/backups?phase=Done&color=red', as: 'viewer' });
    expect(res.status).toBe(400);
    expect((res.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).toEqual([
      'color',
      'phase',
    ]);
  });
});

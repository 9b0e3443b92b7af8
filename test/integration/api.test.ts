// The REST API end to end over HTTP: a real listening API (startApi) in front of the real Temporal
// dev server, the control worker and the agents of clusters a and b (in this process), and a
// filesystem vault. A backup of a namespace made here is followed through GET, /resources, /logs
// and the list, restored into cluster b under another namespace, and read back item by item;
// bad input, used names, unknown names and roles are checked on the way. The `bc` client runs
// against the same API.

import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashToken } from '../../api/auth.js';
import type { Backup, BackupResourceItem } from '../../domain/backup.js';
import type { Cluster } from '../../domain/cluster.js';
import type { Restore, RestoreItem } from '../../domain/restore.js';
import type { DeleteRequest } from '../../domain/delete-request.js';
import { statusQuery } from '../../temporal/messages.js';
import { run as runCli } from '../../cli/commands.js';
import type { KubeObject } from '../../resources/types.js';
import { shopApp, widgetCrd } from '../fixtures/app.js';
import { applyAll } from './kube-apply.js';
import { kube, uniqueName, startTestApi, startTestSystem, type TestSystem } from './harness.js';
import type { VaultCreate } from '../../domain/vault.js';

const TOKENS = { viewer: 'it-viewer-token', operator: 'it-operator-token', admin: 'it-admin-token' } as const;
type Role = keyof typeof TOKENS;

interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

describe('REST API end to end: HTTP → Temporal → agents → clusters a and b', () => {
  let client: Client;
  let system: TestSystem;
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let vault: VaultCreate;
  const ns = uniqueName('api-shop');
  const target = `${ns}-b`;
  const backupName = uniqueName('api-bk');
  const restoreName = uniqueName('api-rs');

  const http = async (
    method: string,
    path: string,
    options: { as?: Role; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<HttpResult> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${TOKENS[options.as]}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api.url}${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };

  /** Polls GET `path` until the task leaves InProgress. */
  const untilDone = async <T extends { status: { phase: string } }>(path: string, timeoutMs = 180_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await http('GET', path, { as: 'viewer' });
      expect(res.status, res.text).toBe(200);
      const task = res.json<T>();
      if (task.status.phase !== 'InProgress') return task;
      if (Date.now() > deadline) throw new Error(`${path} still InProgress after ${timeoutMs} ms: ${res.text}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  };

  const cli = async (argv: string[], role: Role = 'viewer') => {
    let out = '';
    let err = '';
    const code = await runCli(
      argv,
      { BC_API_URL: api.url, BC_API_TOKEN: TOKENS[role] },
      {
        out: (t) => void (out += t),
        err: (t) => void (err += t),
        isTTY: false,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        now: () => Date.now(),
      },
    );
    return { code, out, err };
  };

  beforeAll(async () => {
    const workDir = inject('workDir');
    vault = { name: uniqueName('api-vault'), backend: 'filesystem', path: mkdtempSync(join(workDir, 'api-vault-')) };
    const a = await kube('a');
    await applyAll(a, [widgetCrd, ...shopApp(ns)]);
    // Let the controller manager make the Deployment's ReplicaSet, so the backup holds owned objects.
    for (let i = 0; i < 100; i++) {
      const rs = await a.get<{ items: KubeObject[] }>(`/apis/apps/v1/namespaces/${ns}/replicasets`);
      if (rs.items.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    system = await startTestSystem({
      clusters: ['a', 'b'],
      vaults: [vault],
    });
    ({ client } = system);

    api = await startTestApi({
      clusters: ['a', 'b'],
      vaults: [vault],
      vaultRoot: workDir,
      tokens: (Object.keys(TOKENS) as Role[]).map((role) => ({ name: role, sha256: hashToken(TOKENS[role]), role })),
    });
  });

  afterAll(async () => {
    await api?.stop();
    await system?.stop();
  });

  it('answers the open endpoints without a token, with Temporal reachable', async () => {
    expect((await http('GET', '/healthz')).status).toBe(200);
    const ready = await http('GET', '/readyz');
    expect(ready.status, ready.text).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { temporal: 'ok' } });
    expect((await http('GET', '/openapi.json')).json<{ openapi: string }>().openapi).toBe('3.1.0');
  });

  it('authenticates: no token 401, viewer may read but not start (403), vaults need admin', async () => {
    expect((await http('GET', '/v1/backups')).status).toBe(401);
    expect((await http('GET', '/v1/backups', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await http('GET', '/v1/backups', { as: 'viewer' })).status).toBe(200);
    const body = { name: uniqueName('denied'), cluster: 'a', vault: vault.name, includedNamespaces: [ns] };
    const denied = await http('POST', '/v1/backups', { as: 'viewer', body });
    expect(denied.status).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'Forbidden' });
    // An operator may not write vaults; an admin gets past authorization (here to the body check).
    const badVault = { name: uniqueName('v'), backend: 'filesystem' };
    expect((await http('POST', '/v1/vaults', { as: 'operator', body: badVault })).status).toBe(403);
    const asAdmin = await http('POST', '/v1/vaults', { as: 'admin', body: badVault });
    expect(asAdmin.status, asAdmin.text).toBe(400);
    expect(asAdmin.json<{ errors: Array<{ path: string }> }>().errors.map((e) => e.path)).toEqual(['path']);
  });

  it('no input gives a 500: a vault path "." and bad percent-escapes are 400 naming the field', async () => {
    const errorPaths = (res: HttpResult) => res.json<{ errors: Array<{ path: string }> }>().errors.map((e) => e.path);
    const dot = await http('POST', '/v1/vaults', {
      as: 'admin',
      body: { name: 'v', backend: 'filesystem', path: '.' },
    });
    expect(dot.status, dot.text).toBe(400);
    expect(errorPaths(dot)).toEqual(['path']);
    for (const [method, path] of [
      ['GET', '/v1/backups/%ff%fe'],
      ['GET', '/v1/backups/%ff%fe/resources'],
      ['DELETE', '/v1/vaults/%ff%fe'],
      ['POST', '/v1/schedules/%zz/pause'],
    ] as const) {
      const res = await http(method, path, { as: 'admin' });
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(400);
      expect(errorPaths(res)).toEqual(['name']);
    }
    expect((await http('GET', '/v1/%ff%fe', { as: 'viewer' })).status).toBe(404);
  });

  it('OPTIONS lists the methods of a path; another method is 405 with Allow; unknown paths 404', async () => {
    const options = await http('OPTIONS', '/v1/backups', { as: 'viewer' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, POST, OPTIONS']);
    const put = await http('PUT', `/v1/backups/${backupName}`, { as: 'admin', body: {} });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, DELETE, OPTIONS']);
    expect((await http('OPTIONS', '/v1/nothing', { as: 'viewer' })).status).toBe(404);
  });

  it('confines filesystem vaults to vaultRoot and refuses metadata endpoints, naming the field', async () => {
    const workDir = inject('workDir');
    const errors = (res: HttpResult) => res.json<{ errors: Array<{ path: string; message: string }> }>().errors;
    const create = (body: Record<string, unknown>) =>
      http('POST', '/v1/vaults', { as: 'admin', body: { name: uniqueName('conf'), ...body } });

    const outside = await create({ backend: 'filesystem', path: join(dirname(workDir), uniqueName('elsewhere')) });
    expect(outside.status, outside.text).toBe(400);
    expect(errors(outside)).toEqual([{ path: 'path', message: expect.stringMatching(/inside the vault root/) }]);

    const link = join(workDir, uniqueName('link-out'));
    symlinkSync(mkdtempSync(join(tmpdir(), 'bc-outside-')), link);
    const throughLink = await create({ backend: 'filesystem', path: join(link, 'v') });
    expect(throughLink.status, throughLink.text).toBe(400);
    expect(errors(throughLink)).toEqual([{ path: 'path', message: expect.stringMatching(/symbolic link/) }]);

    const metadata = await create({ backend: 's3', bucket: 'backups', endpoint: 'http://169.254.169.254' });
    expect(metadata.status, metadata.text).toBe(400);
    expect(errors(metadata).map((e) => e.path)).toEqual(['endpoint']);
  });

  it('refuses to claim a non-empty directory that is not a vault: Unavailable naming the entry, nothing written', async () => {
    const path = join(inject('workDir'), uniqueName('foreign'));
    mkdirSync(path);
    writeFileSync(join(path, 'notes.txt'), 'not a backup');
    const name = uniqueName('foreign');
    const res = await http('POST', '/v1/vaults', { as: 'admin', body: { name, backend: 'filesystem', path } });
    expect(res.status, res.text).toBe(201);
    try {
      const deadline = Date.now() + 60_000;
      let status: { phase: string; message: string | null } = { phase: 'InProgress', message: null };
      while (status.phase === 'InProgress' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        status = (await http('GET', `/v1/vaults/${name}`, { as: 'viewer' })).json<{ status: typeof status }>().status;
      }
      expect(status.phase).toBe('Unavailable');
      expect(status.message).toMatch(
        /^VaultError: backup vault is unavailable: .* is not empty and is not a backup vault: it holds \[notes\.txt\]/,
      );
      // Neither the marker nor the staging directory was written into it.
      expect(readdirSync(path)).toEqual(['notes.txt']);
    } finally {
      await http('DELETE', `/v1/vaults/${name}`, { as: 'admin' });
    }
  });

  it('lists every invalid field with 400 and starts no workflow', async () => {
    const name = uniqueName('bad');
    const res = await http('POST', '/v1/backups', {
      as: 'operator',
      body: {
        name,
        cluster: 'no-such-cluster',
        vault: 'no-such-vault',
        ttl: 'forever',
        includedNamespaces: ['Not_A_Namespace'],
        labelSelector: 'app in (',
        colour: 'blue',
      },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = res.json<{ code: string; errors: Array<{ path: string; message: string }> }>();
    expect(problem.code).toBe('InvalidSpec');
    expect(problem.errors.map((e) => e.path).sort()).toEqual([
      'cluster',
      'colour',
      'includedNamespaces.0',
      'labelSelector',
      'ttl',
      'vault',
    ]);
    let started = 0;
    for await (const _ of client.workflow.list({ query: `WorkflowId="backup/${name}"` })) started++;
    expect(started).toBe(0);
  });

  it('fuzz: generated bad bodies for every task endpoint are 400 naming a field, never 500, and start nothing', async () => {
    const prefix = uniqueName('fuzz');
    const bases: Record<string, Record<string, unknown>> = {
      '/v1/backups': { cluster: 'a', vault: vault.name, includedNamespaces: [ns] },
      '/v1/restores': { backupName: 'x', cluster: 'b', namespaceMapping: { a: 'b' } },
      '/v1/schedules': { schedule: '1 4 * * *', template: { cluster: 'a', vault: vault.name } },
      '/v1/delete-requests': { deleteObjectType: 'Backup' },
    };
    const badValue = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
      fc.constant('Not A Valid Name!'),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
    );
    let i = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(bases)),
        fc.constantFrom(
          'name',
          'cluster',
          'vault',
          'schedule',
          'includedNamespaces',
          'namespaceMapping',
          'ttl',
          'deleteObjectName',
          'surprise',
        ),
        badValue,
        async (path, field, value) => {
          const nameField = path === '/v1/delete-requests' ? 'deleteObjectName' : 'name';
          const body = { ...bases[path], [nameField]: `${prefix}-${i++}`, [field]: value };
          const res = await http('POST', path, { as: 'admin', body });
          expect(res.status, `${path} ${JSON.stringify(body)} -> ${res.text}`).toBe(400);
          const problem = res.json<{ errors: Array<{ path: string }> }>();
          expect(problem.errors.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 120 },
    );
    // Nothing was started: no workflow and no schedule carries the fuzz names.
    let started = 0;
    for await (const w of client.workflow.list({
      query: 'ExecutionStatus="Running" OR ExecutionStatus="Completed" OR ExecutionStatus="Failed"',
    })) {
      if (w.workflowId.includes(prefix)) started++;
    }
    expect(started).toBe(0);
    for await (const sch of client.schedule.list()) expect(sch.scheduleId).not.toContain(prefix);
  });

  it('backs up a namespace of cluster a: 202, then Completed with progress and a Temporal UI link', async () => {
    const res = await http('POST', '/v1/backups', {
      as: 'operator',
      body: { name: backupName, cluster: 'a', vault: vault.name, includedNamespaces: [ns] },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/backups/${backupName}`);
    expect(res.json<Backup>().status.phase).toBe('InProgress');

    const done = await untilDone<Backup>(`/v1/backups/${backupName}`);
    expect(done.status.phase, JSON.stringify(done.status.errors)).toBe('Completed');
    expect(done.spec).toMatchObject({ cluster: 'a', vault: vault.name, includedNamespaces: [ns], ttl: '720h0m0s' });
    expect(done.status.progress.itemsBackedUp).toBeGreaterThanOrEqual(19);
    expect(done.status.completionTimestamp).not.toBeNull();
    expect(done.status.expiration).not.toBeNull();
    expect(done.status.links.temporalUi).toContain(
      `/namespaces/default/workflows/${encodeURIComponent(`backup/${backupName}`)}/`,
    );
  });

  it('serves the backup items from the archive, with their resource names, and its log', async () => {
    const res = await http('GET', `/v1/backups/${backupName}/resources`, { as: 'viewer' });
    expect(res.status, res.text).toBe(200);
    const items = res.json<{ items: BackupResourceItem[] }>().items;
    expect(items).toContainEqual({ group: 'apps', version: 'v1', resource: 'deployments', namespace: ns, name: 'web' });
    expect(items).toContainEqual({ group: '', version: 'v1', resource: 'namespaces', name: ns });
    expect(items).toContainEqual({
      group: 'example.com',
      version: 'v1',
      resource: 'widgets',
      namespace: ns,
      name: 'red-widget',
    });
    // One item per object, although the archive stores some in several versions and paths.
    const keys = items.map((i) => `${i.group}/${i.resource}/${i.namespace ?? ''}/${i.name}`);
    expect(new Set(keys).size).toBe(keys.length);

    const logs = await http('GET', `/v1/backups/${backupName}/logs`, { as: 'viewer' });
    expect(logs.status).toBe(200);
    expect(logs.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(logs.text).toMatch(/level=info msg="Backed up items" .*items=\d+ resource=deployments\.apps/);
  });

  it('lists the backup, filtered by cluster, vault and phase', async () => {
    const names = async (query: string) =>
      (await http('GET', `/v1/backups${query}`, { as: 'viewer' })).json<{ items: Backup[] }>().items.map((b) => b.name);
    expect(await names('')).toContain(backupName);
    expect(await names('?cluster=a')).toContain(backupName);
    expect(await names('?cluster=b')).not.toContain(backupName);
    expect(await names(`?vault=${vault.name}&phase=Completed`)).toContain(backupName);
    expect(await names('?phase=Failed')).not.toContain(backupName);
  });

  it('reports a failed backup from its workflow: Failed with the FAQ reason, listed, nothing in the vault', async () => {
    const name = uniqueName('api-fail');
    const res = await http('POST', '/v1/backups', {
      as: 'operator',
      body: { name, cluster: 'a', vault: vault.name, includedNamespaces: ['no-such-namespace'] },
    });
    expect(res.status, res.text).toBe(202);
    const done = await untilDone<Backup>(`/v1/backups/${name}`);
    expect(done.status.phase).toBe('Failed');
    expect(done.status.failureReason).toBe('get target namespace failed');
    expect(done.status.errors).toContainEqual({ code: 'NoTargetNamespace', message: 'get target namespace failed' });
    expect(done.status.expiration).toBeNull();
    // Visibility catches up with the close shortly after.
    let failed: string[] = [];
    for (let i = 0; i < 40 && !failed.includes(name); i++) {
      failed = (await http('GET', '/v1/backups?phase=Failed&cluster=a', { as: 'viewer' }))
        .json<{ items: Backup[] }>()
        .items.map((b) => b.name);
      if (!failed.includes(name)) await new Promise((r) => setTimeout(r, 250));
    }
    expect(failed).toContain(name);
    const resources = await http('GET', `/v1/backups/${name}/resources`, { as: 'viewer' });
    expect(resources.status).toBe(404);
    expect(resources.json()).toMatchObject({ code: 'BackupNotCommitted' });
  });

  it('refuses a used name with 409 and an unknown one with 404', async () => {
    const again = await http('POST', '/v1/backups', {
      as: 'operator',
      body: { name: backupName, cluster: 'a', vault: vault.name, includedNamespaces: [ns] },
    });
    expect(again.status, again.text).toBe(409);
    expect(again.json()).toMatchObject({ code: 'NameAlreadyUsed' });
    expect(again.json<{ detail: string }>().detail).toMatch(/^The name is already used/);

    const unknown = uniqueName('nope');
    for (const path of [`/v1/backups/${unknown}`, `/v1/backups/${unknown}/resources`, `/v1/backups/${unknown}/logs`]) {
      const res = await http('GET', path, { as: 'viewer' });
      expect(res.status, path).toBe(404);
    }
    expect((await http('GET', `/v1/restores/${unknown}`, { as: 'viewer' })).status).toBe(404);
    expect((await http('GET', `/v1/restores/${unknown}/logs`, { as: 'viewer' })).status).toBe(404);
    expect((await http('DELETE', `/v1/backups/${unknown}`, { as: 'operator' })).status).toBe(404);
    const restoreOfNothing = await http('POST', '/v1/restores', {
      as: 'operator',
      body: { name: uniqueName('rs'), backupName: unknown, cluster: 'b' },
    });
    expect(restoreOfNothing.status).toBe(404);
    expect(restoreOfNothing.json()).toMatchObject({ code: 'BackupNotFound' });
  });

  it('restores into cluster b under another namespace and lists every item with its outcome', async () => {
    const res = await http('POST', '/v1/restores', {
      as: 'operator',
      body: { name: restoreName, backupName, cluster: 'b', namespaceMapping: { [ns]: target } },
    });
    expect(res.status, res.text).toBe(202);
    const done = await untilDone<Restore>(`/v1/restores/${restoreName}`);
    expect(done.status.phase, JSON.stringify(done.status.errors)).toBe('Completed');
    expect(done.spec).toMatchObject({ backupName, cluster: 'b', namespaceMapping: { [ns]: target } });
    expect(done.status.progress.itemsRestored).toBeGreaterThan(0);
    expect(done.status.links.temporalUi).toContain(encodeURIComponent(`restore/${restoreName}`));

    const itemsRes = await http('GET', `/v1/restores/${restoreName}/items`, { as: 'viewer' });
    expect(itemsRes.status, itemsRes.text).toBe(200);
    const items = itemsRes.json<{ items: RestoreItem[] }>().items;
    expect(items).toContainEqual({
      group: 'apps',
      version: 'v1',
      resource: 'deployments',
      namespace: target,
      name: 'web',
      outcome: 'created',
    });
    const replicaSets = items.filter((i) => i.resource === 'replicasets');
    for (const rs of replicaSets) {
      expect(rs.outcome).toBe('skipped');
      expect(rs.reason).toMatch(/owned by/);
    }
    // The log names the mapping, each skipped item with its reason, and the counts per type.
    const logs = await http('GET', `/v1/restores/${restoreName}/logs`, { as: 'viewer' });
    expect(logs.status, logs.text).toBe(200);
    expect(logs.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(logs.text).toContain(`msg="Mapping namespaces: ${ns} -> ${target}" restore=${restoreName}\n`);
    expect(replicaSets.length).toBeGreaterThan(0);
    for (const rs of replicaSets)
      expect(logs.text).toContain(
        `level=info msg="Skipped item" name=${rs.name} namespace=${target} reason=${JSON.stringify(rs.reason)} resource=replicasets.apps restore=${restoreName}\n`,
      );
    expect(logs.text).toMatch(
      new RegExp(
        `msg="Restored items" created=1 duration=\\S+ failed=0 resource=deployments\\.apps restore=${restoreName} skipped=0 updated=0\n`,
      ),
    );
    const b = await kube('b');
    const web = await b.get<KubeObject>(`/apis/apps/v1/namespaces/${target}/deployments/web`);
    expect(web.metadata.labels?.['velero.io/restore-name']).toBe(restoreName);

    const again = await http('POST', '/v1/restores', {
      as: 'operator',
      body: { name: restoreName, backupName, cluster: 'b' },
    });
    expect(again.status).toBe(409);
  });

  it('shows both clusters with their agents and what they read of them', async () => {
    const res = await http('GET', '/v1/clusters', { as: 'viewer' });
    expect(res.status, res.text).toBe(200);
    const clusters = res.json<{ items: Cluster[] }>().items;
    expect(clusters.map((c) => c.name)).toEqual(['a', 'b']);
    for (const c of clusters) {
      expect(c.status.agentConnected, c.name).toBe(true);
      expect(c.status.kubernetesVersion, c.name).toMatch(/^v1\.\d+\.\d+/);
      expect(c.status.nodes, c.name).toBeGreaterThanOrEqual(0);
    }
    expect((await http('GET', '/v1/clusters/zzz', { as: 'viewer' })).status).toBe(404);
  });

  it('lists conversions as not built (501)', async () => {
    const res = await http('POST', '/v1/conversions', {
      as: 'operator',
      body: { backupName, cluster: 'b', storageClassMapping: { a: 'b' } },
    });
    expect(res.status).toBe(501);
    expect(res.json()).toMatchObject({ code: 'NotBuilt' });
  });

  it('the bc client describes the backup with its resource list, and the restore with its items', async () => {
    const backup = await cli(['backup', 'describe', backupName, '--details']);
    expect(backup.code, backup.err).toBe(0);
    expect(backup.out).toMatch(/^Phase: +Completed$/m);
    expect(backup.out).toContain('Resource List:');
    expect(backup.out).toContain('  apps/v1/deployments:');
    expect(backup.out).toContain(`    - ${ns}/web`);

    const restore = await cli(['restore', 'describe', restoreName, '--details']);
    expect(restore.code, restore.err).toBe(0);
    expect(restore.out).toMatch(/^ {2}created \(\d+\):$/m);
    expect(restore.out).toContain(`    - apps/v1/deployments ${target}/web`);

    const list = await cli(['backup', 'get', '--cluster', 'a']);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(new RegExp(`^${backupName} +Completed +0 `, 'm'));

    const refused = await cli(['backup', 'create', uniqueName('cli'), '--cluster', 'a']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Forbidden (403');

    const invalid = await cli(['backup', 'create', uniqueName('cli'), '--cluster', 'zzz'], 'operator');
    expect(invalid.code).toBe(1);
    expect(invalid.err).toMatch(/Bad Request \(400, InvalidSpec\)/);
    expect(invalid.err).toMatch(/^ {2}vault: is required$/m);
  });

  it('the bc client starts a backup and waits for it with a progress line', async () => {
    const name = uniqueName('cli-bk');
    const res = await cli(
      ['backup', 'create', name, '--cluster', 'a', '--vault', vault.name, '--include-namespaces', ns, '--wait'],
      'operator',
    );
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain(`Backup request "${name}" submitted successfully.`);
    expect(res.err).toMatch(new RegExp(`^backup ${name}: Completed, (\\d+)/\\1 items backed up`, 'm'));
  });

  describe('cancelling and deleting any task', () => {
    /** Files of the vault whose path names the backup (its objects, staged or committed). */
    const vaultFilesOf = (name: string) =>
      readdirSync(vault.path!, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes(name));
    const listed = async (query: string) =>
      (await http('GET', `/v1/backups${query}`, { as: 'viewer' })).json<{ items: Backup[] }>().items;
    /** Polls the list until `holds` (visibility catches up with a close shortly after). */
    const untilListed = async (query: string, holds: (items: Backup[]) => boolean): Promise<Backup[]> => {
      let items: Backup[] = [];
      for (let i = 0; i < 80; i++) {
        items = await listed(query);
        if (holds(items)) return items;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`GET /v1/backups${query} never held: ${JSON.stringify(items.map((b) => b.name))}`);
    };
    const deleteDone = async (name: string) => {
      for (let i = 0; i < 240; i++) {
        const res = await http('GET', `/v1/delete-requests/${name}`, { as: 'viewer' });
        if (res.status === 200 && res.json<DeleteRequest>().status.phase !== 'InProgress')
          return res.json<DeleteRequest>();
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`delete request ${name} did not finish`);
    };

    it('cancels a running backup: 202, a second cancel is a no-op, it ends Cancelled with nothing in the vault; a finished one is 409', async () => {
      const name = uniqueName('api-cancel');
      const created = await http('POST', '/v1/backups', {
        as: 'operator',
        body: { name, cluster: 'a', vault: vault.name, includedNamespaces: [ns] },
      });
      expect(created.status, created.text).toBe(202);
      expect((await http('POST', `/v1/backups/${name}/cancel`, { as: 'viewer' })).status).toBe(403);
      const cancel = await http('POST', `/v1/backups/${name}/cancel`, { as: 'operator' });
      expect(cancel.status, cancel.text).toBe(202);
      expect(cancel.json<Backup>().name).toBe(name);
      const again = await http('POST', `/v1/backups/${name}/cancel`, { as: 'operator' });
      expect(again.status, again.text).toBe(202);

      const done = await untilDone<Backup>(`/v1/backups/${name}`);
      expect(done.status.phase, JSON.stringify(done.status)).toBe('Cancelled');
      expect(done.status.errors).toContainEqual({ code: 'Cancelled', message: done.status.failureReason });
      expect(done.status.failureReason).toMatch(/^the task was cancelled: /);
      expect(done.status.expiration).toBeNull();
      // Nothing in the vault: no staged files, nothing restorable.
      expect(vaultFilesOf(name)).toEqual([]);
      const restore = await http('POST', '/v1/restores', {
        as: 'operator',
        body: { name: uniqueName('api-rs-c'), backupName: name, cluster: 'b' },
      });
      expect(restore.status, restore.text).toBe(404);
      expect(restore.json()).toMatchObject({ code: 'BackupNotFound' });
      await untilListed('?phase=Cancelled', (items) => items.some((b) => b.name === name));
      expect((await listed('?phase=Completed')).map((b) => b.name)).not.toContain(name);

      // Cancelled already: a no-op. Finished otherwise: 409. Unknown: 404.
      const late = await http('POST', `/v1/backups/${name}/cancel`, { as: 'operator' });
      expect(late.status, late.text).toBe(202);
      expect(late.json<Backup>().status.phase).toBe('Cancelled');
      const finished = await http('POST', `/v1/backups/${backupName}/cancel`, { as: 'operator' });
      expect(finished.status, finished.text).toBe(409);
      expect(finished.json()).toMatchObject({ code: 'TaskFinished' });
      expect((await http('POST', `/v1/backups/${uniqueName('nope')}/cancel`, { as: 'operator' })).status).toBe(404);

      // bc backup cancel says the same.
      const cli409 = await cli(['backup', 'cancel', backupName], 'operator');
      expect(cli409.code).toBe(1);
      expect(cli409.err).toContain('(409, TaskFinished)');
      const cliNoop = await cli(['backup', 'cancel', name], 'operator');
      expect(cliNoop.code, cliNoop.err).toBe(0);
      expect(cliNoop.out).toBe(`The backup "${name}" is already cancelled.\n`);
    });

    it('cancels a restore waiting for its pods: Cancelled, with every item it created kept and listed; 409 once finished', async () => {
      // A pod that ran in the source makes the restore wait for it in the target, where nothing runs pods.
      const src = uniqueName('api-wait');
      const a = await kube('a');
      const b = await kube('b');
      await applyAll(a, [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: src } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: src }, data: { a: '1' } },
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'web', namespace: src },
          spec: { containers: [{ name: 'web', image: 'nginx' }] },
        },
      ]);
      await a.request('PATCH', `/api/v1/namespaces/${src}/pods/web/status`, {
        body: { status: { phase: 'Running' } },
        contentType: 'application/merge-patch+json',
      });
      const bk = uniqueName('api-wait-bk');
      const created = await http('POST', '/v1/backups', {
        as: 'operator',
        body: { name: bk, cluster: 'a', vault: vault.name, includedNamespaces: [src] },
      });
      expect(created.status, created.text).toBe(202);
      expect((await untilDone<Backup>(`/v1/backups/${bk}`)).status.phase).toBe('Completed');

      const rs = uniqueName('api-wait-rs');
      const started = await http('POST', '/v1/restores', {
        as: 'operator',
        body: { name: rs, backupName: bk, cluster: 'b', namespaceMapping: { [src]: `${src}-b` } },
      });
      expect(started.status, started.text).toBe(202);
      const handle = client.workflow.getHandle(`restore/${rs}`);
      for (let i = 0; (await handle.query(statusQuery)).step !== 'WaitResourcesReady'; i++) {
        if (i > 600) throw new Error('the restore never waited for its pod');
        await new Promise((r) => setTimeout(r, 200));
      }

      const cancel = await http('POST', `/v1/restores/${rs}/cancel`, { as: 'operator' });
      expect(cancel.status, cancel.text).toBe(202);
      expect((await http('POST', `/v1/restores/${rs}/cancel`, { as: 'operator' })).status).toBe(202);
      const done = await untilDone<Restore>(`/v1/restores/${rs}`);
      expect(done.status.phase, JSON.stringify(done.status)).toBe('Cancelled');
      expect(done.status.progress.itemsRestored).toBe(done.status.progress.totalItems);
      expect(done.status.progress.itemsRestored).toBeGreaterThanOrEqual(3);
      expect(done.status.failureReason).toMatch(/items were restored before it stopped; they stay in cluster b/);
      // What it created stays, and its items say so.
      const items = (await http('GET', `/v1/restores/${rs}/items`, { as: 'viewer' })).json<{ items: RestoreItem[] }>()
        .items;
      expect(items).toContainEqual(
        expect.objectContaining({
          resource: 'configmaps',
          namespace: `${src}-b`,
          name: 'settings',
          outcome: 'created',
        }),
      );
      expect((await b.get<KubeObject>(`/api/v1/namespaces/${src}-b/configmaps/settings`)).metadata.name).toBe(
        'settings',
      );
      // Its log says what it created and that the wait for the pod was cancelled.
      const rsLog = await http('GET', `/v1/restores/${rs}/logs`, { as: 'viewer' });
      expect(rsLog.status, rsLog.text).toBe(200);
      expect(rsLog.text).toMatch(/msg="Restored items" created=1 duration=\S+ failed=0 resource=configmaps /);
      expect(rsLog.text).toContain('msg="Waiting for 1 restored objects to be ready again (bound PVCs, ready pods)"');
      expect(rsLog.text).toMatch(
        new RegExp(`level=warning msg="Readiness wait cancelled" duration=\\S+ notReady=1 objects=1 restore=${rs}\n$`),
      );

      expect((await http('POST', `/v1/restores/${rs}/cancel`, { as: 'operator' })).status).toBe(202);
      const finished = await http('POST', `/v1/restores/${restoreName}/cancel`, { as: 'operator' });
      expect(finished.status, finished.text).toBe(409);
      expect(finished.json()).toMatchObject({ code: 'TaskFinished' });
      const cliRs = await cli(['restore', 'cancel', restoreName], 'operator');
      expect(cliRs.code).toBe(1);
      expect(cliRs.err).toContain('(409, TaskFinished)');
    });

    it('deletes a Failed backup (202; it leaves the list) and a completed one while another vault is Unavailable', async () => {
      // An unrelated vault that cannot be used: nothing answers at its endpoint, so it is Unavailable.
      const broken = uniqueName('api-oss');
      const oss = await http('POST', '/v1/vaults', {
        as: 'admin',
        body: {
          name: broken,
          backend: 'oss',
          bucket: 'nowhere',
          region: 'cn-hangzhou',
          endpoint: 'http://127.0.0.1:1',
        },
      });
      expect(oss.status, oss.text).toBe(201);
      try {
        for (let i = 0; ; i++) {
          const v = (await http('GET', `/v1/vaults/${broken}`, { as: 'viewer' })).json<{ status: { phase: string } }>();
          if (v.status.phase === 'Unavailable') break;
          if (i > 240) throw new Error(`vault ${broken} never turned Unavailable`);
          await new Promise((r) => setTimeout(r, 250));
        }

        const failed = uniqueName('api-fail-del');
        expect(
          (
            await http('POST', '/v1/backups', {
              as: 'operator',
              body: { name: failed, cluster: 'a', vault: vault.name, includedNamespaces: ['no-such-namespace'] },
            })
          ).status,
        ).toBe(202);
        expect((await untilDone<Backup>(`/v1/backups/${failed}`)).status.phase).toBe('Failed');
        await untilListed('?phase=Failed', (items) => items.some((b) => b.name === failed));

        const del = await http('DELETE', `/v1/backups/${failed}`, { as: 'operator' });
        expect(del.status, del.text).toBe(202);
        const request = await deleteDone(del.json<DeleteRequest>().name);
        expect(request.status.phase, JSON.stringify(request.status)).toBe('Completed');
        // Its vault was looked at (no staged files were left to remove), the unavailable one was not.
        expect(request.status.warnings).toEqual([
          expect.objectContaining({ message: expect.stringMatching(/did not complete, so nothing of it was stored/) }),
        ]);
        await untilListed('', (items) => !items.some((b) => b.name === failed));
        expect((await http('GET', `/v1/backups/${failed}`, { as: 'viewer' })).status).toBe(404);
        expect((await http('DELETE', `/v1/backups/${failed}`, { as: 'operator' })).status).toBe(404);

        // A committed backup in the healthy vault is deleted whatever the other vault's state.
        const kept = uniqueName('api-del');
        expect(
          (
            await http('POST', '/v1/backups', {
              as: 'operator',
              body: { name: kept, cluster: 'a', vault: vault.name, includedNamespaces: [ns] },
            })
          ).status,
        ).toBe(202);
        expect((await untilDone<Backup>(`/v1/backups/${kept}`)).status.phase).toBe('Completed');
        const del2 = await http('DELETE', `/v1/backups/${kept}`, { as: 'operator' });
        expect(del2.status, del2.text).toBe(202);
        const request2 = await deleteDone(del2.json<DeleteRequest>().name);
        expect(request2.status.phase, JSON.stringify(request2.status)).toBe('Completed');
        expect(vaultFilesOf(kept)).toEqual([]);
        expect((await http('GET', `/v1/backups/${kept}`, { as: 'viewer' })).status).toBe(404);
      } finally {
        await http('DELETE', `/v1/vaults/${broken}`, { as: 'admin' });
      }
    });
  });
});

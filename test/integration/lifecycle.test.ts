import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KubeApiError } from '../../activities/kube/client.js';
import {
  createTemporalVaultRegistry,
  registerConfiguredVaults,
  revalidateVault,
} from '../../clients/vault-registry.js';
import { hashToken } from '../../api/auth.js';
import type { ApiDeps } from '../../api/deps.js';
import type { BackupCreate } from '../../domain/backup.js';
import type { DeleteRequest } from '../../domain/delete-request.js';
import type { Schedule } from '../../domain/backup-plan.js';
import type { Vault, VaultCreate } from '../../domain/vault.js';
import { createApp } from '../../api/server.js';
import { inject as request, type InjectResponse } from '../../api/testing/inject.js';
import { ConfigSchema } from '../../config/schema.js';
import { planScheduleId, RETENTION_SCHEDULE_ID, vaultWorkflowId } from '../../temporal/workflow-ids.js';
import { ensureRetentionSchedule } from '../../clients/retention-schedule.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { parseVaultMarker } from '../../vault/marker.js';
import { BackupStore } from '../../vault/store.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { RestoreWorkflow } from '../../workflows/restore.js';
import { RetentionWorkflow } from '../../workflows/retention.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import type { TaskStatus } from '../../domain/task.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { applyAll } from './kube-apply.js';
import { kube, logger, recordHistory, uniqueName, startTestSystem, type TestSystem } from './harness.js';

const TOKEN = 'lifecycle-admin-token';
const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 10 };

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('lifecycle against the real servers: vaults, backup plans, delete requests, retention', () => {
  let client: Client;
  let system: TestSystem;
  let app: ReturnType<typeof createApp>;
  const workDir = inject('workDir');
  const ns = uniqueName('life');
  const configured: VaultCreate = {
    name: uniqueName('cfg'),
    backend: 'filesystem',
    path: mkdtempSync(join(workDir, 'cfg-')),
  };
  const store = new BackupStore(new FilesystemObjectStore(configured.path!), '');
  const createdVaults: string[] = [];
  const createdPlans: string[] = [];

  const call = (method: string, url: string, body?: unknown): Promise<InjectResponse> =>
    request(app, { method, url, body, headers: { authorization: `Bearer ${TOKEN}` } });
  const json = <T>(res: InjectResponse) => res.json() as T;

  const backup = async (overrides: Partial<BackupCreate> = {}): Promise<{ name: string; status: TaskStatus }> => {
    const spec: BackupCreate = {
      name: uniqueName('bk'),
      cluster: 'a',
      vault: configured.name,
      backupType: 'AppBackup',
      ttl: '720h0m0s',
      includedNamespaces: [ns],
      ...overrides,
    };
    const status = await client.workflow.execute(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${spec.name}`,
      args: [{ spec, options }],
    });
    return { name: spec.name, status };
  };

  const createVault = async (name: string, path: string): Promise<InjectResponse> => {
    const res = await call('POST', '/v1/vaults', { name, backend: 'filesystem', path });
    if (res.status === 201) createdVaults.push(name);
    return res;
  };
  const vaultPhase = (name: string, phase: string) =>
    eventually(`vault ${name} ${phase}`, async () => {
      const v = json<Vault>(await call('GET', `/v1/vaults/${name}`));
      return v.status.phase === phase ? v : undefined;
    });
  const deleteRequestDone = (name: string) =>
    eventually(`delete request ${name}`, async () => {
      const res = await call('GET', `/v1/delete-requests/${name}`);
      const dr = res.status === 200 ? json<DeleteRequest>(res) : undefined;
      return dr && dr.status.phase !== 'InProgress' ? dr : undefined;
    });

  beforeAll(async () => {
    const k = await kube('a');
    await applyAll(k, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns }, data: { a: '1' } },
    ]);
    system = await startTestSystem({
      clusters: ['a'],
      vaults: [configured],
    });
    ({ client } = system);

    const config = ConfigSchema.parse({
      vaultRoot: workDir,
      vaults: [configured],
      clusters: [{ name: 'a' }],
      tokens: [{ name: 'test', sha256: hashToken(TOKEN), role: 'admin' }],
    });
    const deps: ApiDeps = {
      client,
      config,
      logger,
      vaults: createTemporalVaultRegistry({ client, configured: config.vaults }),
      temporalUiUrl: inject('temporal').uiUrl,
    };
    // The whole API (its routers include vaults, schedules and delete requests).
    app = createApp(deps);
  });

  afterAll(async () => {
    for (const name of createdVaults) await call('DELETE', `/v1/vaults/${name}`).catch(() => undefined);
    // A configured vault is not deletable through the API; stop its validation loop for the next test files.
    await client?.workflow
      .getHandle(vaultWorkflowId(configured.name))
      .terminate('lifecycle test finished')
      .catch(() => undefined);
    for (const id of [...createdPlans.map(planScheduleId), RETENTION_SCHEDULE_ID]) {
      await client?.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
    }
    await system?.stop();
  });

  describe('vaults', () => {
    let vaultName: string;
    let vaultPath: string;

    it('creates a vault: makes its directory, claims it with the marker, validates it Available', async () => {
      vaultName = uniqueName('vault');
      vaultPath = join(workDir, uniqueName('vaults'), 'main');
      expect(existsSync(vaultPath)).toBe(false);

      const res = await createVault(vaultName, vaultPath);
      expect(res.status, res.text).toBe(201);
      expect(json<Vault>(res)).toMatchObject({ name: vaultName, spec: { backend: 'filesystem', path: vaultPath } });

      const vault = await vaultPhase(vaultName, 'Available');
      expect(vault.status.lastValidated).not.toBeNull();
      expect(vault.status.message).toBeNull();
      expect(existsSync(vaultPath)).toBe(true);
      const marker = parseVaultMarker(readFileSync(join(vaultPath, 'metadata', 'backup-center-vault.json')));
      expect(marker).toMatchObject({ name: vaultName, formerVaults: [] });
      expect(marker.deletedAt).toBeUndefined();

      const list = json<{ items: Vault[] }>(await call('GET', '/v1/vaults'));
      expect(list.items.map((v) => v.name)).toEqual(expect.arrayContaining([vaultName, configured.name]));
    });

    it('is immutable: PUT and PATCH are 405; a used name is 409', async () => {
      const put = await call('PUT', `/v1/vaults/${vaultName}`, { backend: 'filesystem', path: '/elsewhere' });
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe('GET, DELETE, OPTIONS');
      expect(json<{ detail: string }>(put).detail).toMatch(/cannot be modified/);
      expect((await call('PATCH', `/v1/vaults/${vaultName}`, {})).status).toBe(405);

      const again = await createVault(vaultName, join(workDir, uniqueName('other')));
      expect(again.status).toBe(409);
      expect(json<{ detail: string }>(again).detail).toMatch(/The name is already used/);
      expect((await createVault(configured.name, join(workDir, uniqueName('other')))).status).toBe(409);
    });

    it('refuses a prefix that is the parent or child of a live vault, or the same', async () => {
      const child = await createVault(uniqueName('child'), join(vaultPath, 'nested'));
      expect(child.status).toBe(409);
      expect(json<{ code: string; detail: string }>(child)).toMatchObject({ code: 'VaultPrefixConflict' });
      expect(json<{ detail: string }>(child).detail).toContain(`vault ${vaultName}`);
      expect(json<{ detail: string }>(child).detail).toMatch(/cannot be the parent or child/);

      const parent = await createVault(uniqueName('parent'), dirname(vaultPath));
      expect(parent.status).toBe(409);
      expect(json<{ detail: string }>(parent).detail).toMatch(/is a parent directory of/);

      const same = await createVault(uniqueName('same'), `${vaultPath}/`);
      expect(same.status).toBe(409);
      // The configured vault takes part too.
      expect((await createVault(uniqueName('incfg'), join(configured.path!, 'x'))).status).toBe(409);
      // A sibling is fine.
      expect((await createVault(uniqueName('sibling'), join(dirname(vaultPath), 'sibling'))).status).toBe(201);
    });

    it('turns Unavailable with the FAQ message when the directory holds foreign top-level content', async () => {
      const name = uniqueName('foreign');
      const path = join(workDir, uniqueName('foreign'));
      mkdirSync(join(path, 'foreign-data'), { recursive: true });
      writeFileSync(join(path, 'foreign-data', 'notes.txt'), 'not a backup');

      expect((await createVault(name, path)).status).toBe(201);
      const vault = await vaultPhase(name, 'Unavailable');
      expect(vault.status.message).toBe('Backup store contains invalid top-level directories: [foreign-data]');

      // A backup into it fails with the FAQ's VaultError.
      const failed = await backup({ vault: name }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      expect((failed as WorkflowFailedError).cause?.message).toBe(
        'VaultError: backup vault is unavailable: Backup store contains invalid top-level directories: [foreign-data]',
      );
    });

    it('re-runs the connectivity test on signal: foreign content added later turns it Unavailable, removing it Available', async () => {
      const name = uniqueName('later');
      const path = join(workDir, uniqueName('later'));
      expect((await createVault(name, path)).status).toBe(201);
      await vaultPhase(name, 'Available');
      mkdirSync(join(path, 'other-app'));
      writeFileSync(join(path, 'other-app', 'data.bin'), 'x');
      await revalidateVault(client, name);
      expect((await vaultPhase(name, 'Unavailable')).status.message).toBe(
        'Backup store contains invalid top-level directories: [other-app]',
      );
      rmSync(join(path, 'other-app'), { recursive: true });
      await revalidateVault(client, name);
      await vaultPhase(name, 'Available');
    });

    it('registers configured vaults idempotently, so they are validated too', async () => {
      const first = await registerConfiguredVaults(client, [configured], workDir, logger);
      const second = await registerConfiguredVaults(client, [configured], workDir, logger);
      expect([first, second]).toEqual([[{ name: configured.name }], [{ name: configured.name }]]);
      await vaultPhase(configured.name, 'Available');
      // Changed settings under the same name are refused (a vault is immutable) and logged, not thrown.
      const changed = await registerConfiguredVaults(
        client,
        [{ ...configured, path: join(workDir, 'moved') }],
        workDir,
      );
      expect(changed[0]?.refused).toMatch(/registered with other settings/);
    });

    it('never reuses the name of a deleted vault; its location may be taken over under a new name', async () => {
      const name = uniqueName('gone');
      const path = join(workDir, uniqueName('gone'));
      expect((await createVault(name, path)).status).toBe(201);
      await vaultPhase(name, 'Available');

      const del = await call('DELETE', `/v1/vaults/${name}`);
      expect(del.status).toBe(202);
      expect((await call('GET', `/v1/vaults/${name}`)).status).toBe(404);
      expect((await call('DELETE', `/v1/vaults/${name}`)).status).toBe(404);
      // Its workflow ends and the marker in its directory remembers the deletion.
      const vaultRun = client.workflow.getHandle(vaultWorkflowId(name));
      await vaultRun.result();
      await recordHistory(vaultRun, 'vault-deleted');
      const marker = parseVaultMarker(readFileSync(join(path, 'metadata', 'backup-center-vault.json')));
      expect(marker.name).toBe(name);
      expect(marker.deletedAt).toBeDefined();

      const reuse = await createVault(name, join(workDir, uniqueName('fresh')));
      expect(reuse.status).toBe(409);
      expect(json<{ detail: string }>(reuse).detail).toMatch(/deleted vault cannot be reused/);

      const successor = uniqueName('successor');
      expect((await createVault(successor, path)).status).toBe(201);
      await vaultPhase(successor, 'Available');
      const taken = parseVaultMarker(readFileSync(join(path, 'metadata', 'backup-center-vault.json')));
      expect(taken.name).toBe(successor);
      expect(taken.formerVaults.map((v) => v.name)).toEqual([name]);
    });

    it('serves backups into a vault created through the API (the workers read the registry)', async () => {
      const { status } = await backup({ vault: vaultName });
      expect(status.phase).toBe('Completed');
    });

    it('refuses a configured vault deletion and an invalid body', async () => {
      expect((await call('DELETE', `/v1/vaults/${configured.name}`)).status).toBe(409);
      const bad = await call('POST', '/v1/vaults', { name: 'Bad_Name', backend: 'filesystem' });
      expect(bad.status).toBe(400);
      expect(json<{ errors: Array<{ path: string }> }>(bad).errors.map((e) => e.path)).toEqual(['name', 'path']);
    });
  });

  describe('backup plans', () => {
    const plan = uniqueName('plan');
    /** Creates a plan of cluster a into the configured vault, removed after the tests. */
    const createPlan = async (name: string, schedule: string, includedNamespaces: string[]) => {
      const res = await call('POST', '/v1/schedules', {
        name,
        schedule,
        template: { cluster: 'a', vault: configured.name, includedNamespaces },
      });
      expect(res.status, res.text).toBe(201);
      createdPlans.push(name);
      return res;
    };

    it('creates a plan with an interval, runs it now as <plan>-<timestamp>, pauses and resumes it', async () => {
      const res = await createPlan(plan, '6h30m', [ns]);
      const created = json<Schedule>(res);
      expect(created.spec).toMatchObject({ schedule: '6h30m', paused: false, template: { ttl: '720h0m0s' } });
      expect(created.status.nextRuns.length).toBeGreaterThan(0);
      // Temporal holds the interval in milliseconds (the SDK's `ms` cannot read 6h30m).
      const described = await client.schedule.getHandle(planScheduleId(plan)).describe();
      expect(described.spec.intervals?.[0]?.every).toBe(6.5 * 3600 * 1000);
      expect(described.policies.overlap).toBe('SKIP');

      expect((await call('POST', `/v1/schedules/${plan}`, {})).status).toBe(405); // the path exists, the method does not
      const dup = await call('POST', '/v1/schedules', {
        name: plan,
        schedule: '1 4 * * *',
        template: created.spec.template,
      });
      expect(dup.status).toBe(409);

      const triggered = await call('POST', `/v1/schedules/${plan}/trigger`);
      expect(triggered.status).toBe(200);
      const withRun = await eventually('a run of the plan', async () => {
        const s = json<Schedule>(await call('GET', `/v1/schedules/${plan}`));
        return s.status.lastBackup ? s : undefined;
      });
      const backupName = withRun.status.lastBackup!.name;
      expect(backupName).toMatch(new RegExp(`^${plan}-\\d{14}$`));
      // The run starts the backup as its child a moment after the run itself appears.
      const handle = client.workflow.getHandle(`backup/${backupName}`);
      await eventually('the backup to start', () => handle.describe());
      const result = await handle.result();
      expect((result as TaskStatus).phase).toBe('Completed');
      expect((await store.listBackups()).map((b) => b.metadata.name)).toContain(backupName);

      const paused = await call('POST', `/v1/schedules/${plan}/pause`);
      expect(paused.status).toBe(200);
      expect(json<Schedule>(paused).status.paused).toBe(true);
      expect(json<Schedule>(await call('GET', `/v1/schedules/${plan}`)).status.paused).toBe(true);
      const resumed = await call('POST', `/v1/schedules/${plan}/resume`);
      expect(json<Schedule>(resumed).status.paused).toBe(false);

      const list = json<{ items: Schedule[] }>(await call('GET', '/v1/schedules'));
      expect(list.items.map((s) => s.name)).toContain(plan);
    });

    it('fires on its own: a plan every minute (cron) produces a completed <plan>-<timestamp> backup without a trigger', async () => {
      const minutely = `${plan}-cron`;
      await createPlan(minutely, '* * * * *', [ns]);
      const fired = await eventually(
        'the plan to fire by itself',
        async () => json<Schedule>(await call('GET', `/v1/schedules/${minutely}`)).status.lastBackup ?? undefined,
        75_000,
      );
      expect(fired.name).toMatch(new RegExp(`^${minutely}-\\d{14}$`));
      const handle = client.workflow.getHandle(`backup/${fired.name}`);
      await eventually('the backup to start', () => handle.describe());
      expect(((await handle.result()) as TaskStatus).phase).toBe('Completed');
      await call('POST', `/v1/schedules/${minutely}/pause`);
    }, 120_000);

    it('refuses a bad schedule and a template naming an unknown vault', async () => {
      const bad = await call('POST', '/v1/schedules', {
        name: uniqueName('bad'),
        schedule: '61 * * * *',
        template: { cluster: 'a', vault: 'no-such-vault' },
      });
      expect(bad.status).toBe(400);
      const unknown = await call('POST', '/v1/schedules', {
        name: uniqueName('bad'),
        schedule: '1 4 * * *',
        template: { cluster: 'a', vault: 'no-such-vault' },
      });
      expect(unknown.status).toBe(400);
      expect(json<{ errors: Array<{ path: string }> }>(unknown).errors.map((e) => e.path)).toEqual(['template.vault']);
      expect((await call('POST', '/v1/schedules/no-such-plan/trigger')).status).toBe(404);
    });

    it('fails the runs of a plan whose namespaces were deleted with "get target namespace failed"', async () => {
      const k = await kube('a');
      const gone = uniqueName('gone');
      await applyAll(k, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: gone } }]);
      const name = uniqueName('orphan');
      await createPlan(name, '1 4 * * *', [gone]);

      await k.request('DELETE', `/api/v1/namespaces/${gone}`);
      await eventually('the namespace to be gone', async () => {
        try {
          await k.get(`/api/v1/namespaces/${gone}`);
          return undefined;
        } catch (err) {
          return err instanceof KubeApiError && err.status === 404 ? true : undefined;
        }
      });

      expect((await call('POST', `/v1/schedules/${name}/trigger`)).status).toBe(200);
      const run = await eventually('the triggered run', async () => {
        const d = await client.schedule.getHandle(planScheduleId(name)).describe();
        return d.info.recentActions.at(-1)?.action.workflow;
      });
      const runHandle = client.workflow.getHandle(run.workflowId, run.firstExecutionRunId);
      const err = await runHandle.result().catch((e: unknown) => e);
      await recordHistory(runHandle, 'scheduled-backup-no-namespace');
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause?.message).toBe('get target namespace failed');
    });

    it('DELETE /v1/schedules/{name} removes the plan through a delete request; its backups stay', async () => {
      const before = (await store.listBackups()).filter((b) => b.metadata.name.startsWith(`${plan}-`)).length;
      const res = await call('DELETE', `/v1/schedules/${plan}`);
      expect(res.status).toBe(202);
      expect(json<DeleteRequest>(res)).toMatchObject({
        name: `schedule-${plan}`,
        spec: { deleteObjectName: plan, deleteObjectType: 'Schedule' },
      });
      const done = await deleteRequestDone(`schedule-${plan}`);
      expect(done.status).toMatchObject({ phase: 'Completed', progress: { totalItems: 1, itemsDeleted: 1 } });
      expect((await call('GET', `/v1/schedules/${plan}`)).status).toBe(404);
      expect((await call('DELETE', `/v1/schedules/${plan}`)).status).toBe(404);
      expect((await store.listBackups()).filter((b) => b.metadata.name.startsWith(`${plan}-`)).length).toBe(before);
    });
  });

  describe('delete requests', () => {
    it('deletes a backup and the records of its restores; a second request while one runs is 409', async () => {
      const { name } = await backup();
      const restore = uniqueName('rs');
      await client.workflow.execute(RestoreWorkflow, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: `restore/${restore}`,
        args: [
          {
            spec: {
              name: restore,
              backupName: name,
              cluster: 'a',
              includedResources: ['configmaps'],
              namespaceMapping: { [ns]: `${ns}-copy` },
              existingResourcePolicy: 'none',
            },
            options,
          },
        ],
      });
      expect(await store.getRestoreItems(restore)).toBeDefined();
      // Visibility (which the delete uses to find the backup's restores) is eventually consistent.
      await eventually('the restore in visibility', async () => {
        for await (const _ of client.workflow.list({
          query: `WorkflowId = "restore/${restore}" AND BackupCenterBackup = "${name}"`,
        }))
          return true;
        return undefined;
      });

      const body = { deleteObjectName: name, deleteObjectType: 'Backup' };
      const [first, second] = await Promise.all([
        call('POST', '/v1/delete-requests', body),
        call('POST', '/v1/delete-requests', body),
      ]);
      expect([first.status, second.status].sort()).toEqual([202, 409]);
      const conflictRes = first.status === 409 ? first : second;
      expect(json<{ detail: string }>(conflictRes).detail).toMatch(/The name is already used.*still running/);

      const done = await deleteRequestDone(`backup-${name}`);
      await recordHistory(client.workflow.getHandle(`delete/backup/${name}`), 'delete-backup-with-restores');
      expect(done.spec).toEqual({ deleteObjectName: name, deleteObjectType: 'Backup' });
      expect(done.status).toMatchObject({
        phase: 'Completed',
        errors: [],
        progress: { totalItems: 2, itemsDeleted: 2 },
      });
      expect(done.status.links.temporalUi).toContain(encodeURIComponent(`delete/backup/${name}`));
      expect((await store.listBackups()).map((b) => b.metadata.name)).not.toContain(name);
      expect(await store.backupExists(name)).toBe(false);
      expect(await store.getRestoreItems(restore)).toBeUndefined();

      // It is gone: a new request finds nothing to delete.
      expect((await call('POST', '/v1/delete-requests', body)).status).toBe(404);
    });

    it('DELETE /v1/backups/{name} is a delete request too', async () => {
      const { name } = await backup();
      const res = await call('DELETE', `/v1/backups/${name}`);
      expect(res.status, res.text).toBe(202);
      expect(json<DeleteRequest>(res).name).toBe(`backup-${name}`);
      expect((await deleteRequestDone(`backup-${name}`)).status.phase).toBe('Completed');
      expect(await store.backupExists(name)).toBe(false);
    });

    it('only marks a backup deleted when another cluster deletes it (the FAQ): it leaves the listing, its data stays', async () => {
      const { name } = await backup();
      const res = await call('POST', '/v1/delete-requests', {
        deleteObjectName: name,
        deleteObjectType: 'Backup',
        cluster: 'b',
      });
      expect(res.status).toBe(202);
      const done = await deleteRequestDone(`backup-${name}`);
      expect(done.status.phase).toBe('Completed');
      expect(done.status.warnings.map((w) => w.code)).toEqual(['MarkedDeleted']);
      expect((await store.listBackups()).map((b) => b.metadata.name)).not.toContain(name);
      expect(await store.getBackup(name, { includeDeleted: true })).toBeDefined();
      expect(await store.backupExists(name)).toBe(true);
    });

    it('answers 404 for unknown objects and names, 501 for conversions, 400 for a bad body', async () => {
      expect(
        (await call('POST', '/v1/delete-requests', { deleteObjectName: 'no-such-backup', deleteObjectType: 'Backup' }))
          .status,
      ).toBe(404);
      expect(
        (
          await call('POST', '/v1/delete-requests', {
            deleteObjectName: 'no-such-restore',
            deleteObjectType: 'Restore',
          })
        ).status,
      ).toBe(404);
      expect(
        (await call('POST', '/v1/delete-requests', { deleteObjectName: 'no-such-plan', deleteObjectType: 'Schedule' }))
          .status,
      ).toBe(404);
      const convert = await call('POST', '/v1/delete-requests', { deleteObjectName: 'x', deleteObjectType: 'Convert' });
      expect(convert.status).toBe(501);
      expect(json<{ code: string }>(convert).code).toBe('NotBuilt');
      const bad = await call('POST', '/v1/delete-requests', { deleteObjectName: 'x', deleteObjectType: 'Volume' });
      expect(bad.status).toBe(400);
      expect((await call('GET', '/v1/delete-requests/backup-never-requested')).status).toBe(404);
      expect((await call('GET', '/v1/delete-requests/nonsense')).status).toBe(404);
    });
  });

  describe('retention', () => {
    it('deletes a backup whose ttl has passed in one RetentionWorkflow run, and keeps the others', async () => {
      expect(['created', 'exists']).toContain(await ensureRetentionSchedule(client));
      expect(await ensureRetentionSchedule(client)).toBe('exists');
      const gc = await client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
      expect(gc.spec.intervals?.[0]?.every).toBe(3600 * 1000);

      const expiring = await backup({ ttl: '1s' });
      const kept = await backup();
      const meta = await store.getBackup(expiring.name);
      const expiration = Date.parse(meta!.status.expiration!);
      expect(expiration - Date.parse(meta!.status.startTimestamp!)).toBe(1000);
      await new Promise((r) => setTimeout(r, Math.max(0, expiration - Date.now() + 100)));

      const gcRun = await client.workflow.start(RetentionWorkflow, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: uniqueName('gc/retention-test'),
        args: [{}],
      });
      const result = await gcRun.result();
      await recordHistory(gcRun, 'retention');
      expect(result.deleted).toContain(expiring.name);
      expect(result.deleted).not.toContain(kept.name);
      expect(result.failed).toEqual([]);
      const names = (await store.listBackups()).map((b) => b.metadata.name);
      expect(names).not.toContain(expiring.name);
      expect(names).toContain(kept.name);
      expect((await deleteRequestDone(`backup-${expiring.name}`)).status.phase).toBe('Completed');
    });
  });
});

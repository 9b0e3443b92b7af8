import { WorkflowFailedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultCheck } from '../../activities/vault/lifecycle.js';
import type { BackupCreate } from '../../domain/backup.js';
import type { TaskStatus } from '../../domain/task.js';
import type { VaultCreate } from '../../domain/vault.js';
import {
  deleteVaultSignal,
  deleteVaultUpdate,
  registerVaultUpdate,
  vaultEntriesQuery,
} from '../../temporal/messages.js';
import { clusterTaskQueue } from '../../temporal/task-queues.js';
import { vaultWorkflowId } from '../../temporal/workflow-ids.js';
import type { BackupWorkflow } from '../../workflows/backup.js';
import type { RetentionWorkflow } from '../../workflows/retention.js';
import type { VaultRegistryWorkflow, VaultWorkflow } from '../../workflows/vault.js';
import { mockWorker, workflowBundle, type ClusterMocks, type ControlMocks } from '../workflows/mocks.js';
import { nativeConnection, recordHistory, temporalClient, uniqueName, withWorkers } from './harness.js';

// Workflow branches no end-to-end test reaches, run on the integration run's Temporal dev server
// (global setup) with typed activity mocks, each test on its own task queue. Thresholds that take
// hours in production (250 validation cycles, 500 registry updates) are lowered through the
// workflows' optional test inputs, which default to the production constants.

let client: Client;
let closeClient: () => Promise<void>;
let connection: NativeConnection;
let namespace: string;

beforeAll(async () => {
  ({ client, close: closeClient } = await temporalClient());
  connection = await nativeConnection();
  namespace = client.options.namespace;
  await workflowBundle();
});
afterAll(async () => {
  await connection?.close();
  await closeClient?.();
});

const ok: VaultCheck = { ok: true, message: null };
const vaultSpec = (name: string): VaultCreate => ({ name, backend: 'filesystem', path: `/nowhere/${name}` });

async function worker(taskQueue: string, activities: ControlMocks | ClusterMocks): Promise<Worker> {
  return mockWorker(connection, namespace, taskQueue, activities);
}

/** Waits until the workflow `id` runs in a run other than `runId` (it continued as new). */
async function nextRun(id: string, runId: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { runId: latest } = await client.workflow.getHandle(id).describe();
    if (latest !== runId) return latest;
    if (Date.now() > deadline) throw new Error(`workflow ${id} did not continue as new`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function events(id: string, runId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await client.workflow.getHandle(id, runId).fetchHistory()).events ?? [];
}

const EventType = temporal.api.enums.v1.EventType;
const typeOf = (e: temporal.api.history.v1.IHistoryEvent) => e.eventType;

describe('VaultWorkflow', () => {
  it('continues as new after cyclesPerRun validation cycles, carrying status and claim; a failed retire is its final message', async () => {
    const taskQueue = uniqueName('wf-vault');
    const name = uniqueName('v');
    let inits = 0;
    let validations = 0;
    const mocks: ControlMocks = {
      initVault: async () => (inits++, ok),
      validateVault: async () => (validations++, ok),
      retireVault: async () => {
        throw ApplicationFailure.nonRetryable('marker write refused', 'VaultUnavailable');
      },
    };
    await withWorkers([await worker(taskQueue, mocks)], async () => {
      const handle = await client.workflow.start<typeof VaultWorkflow>('VaultWorkflow', {
        taskQueue,
        workflowId: vaultWorkflowId(name),
        args: [{ spec: vaultSpec(name), cyclesPerRun: 2, validationInterval: '200 milliseconds' }],
      });
      const first = handle.firstExecutionRunId;
      const second = await nextRun(handle.workflowId, first);
      const firstEvents = await events(handle.workflowId, first);
      expect(firstEvents.map(typeOf)).toContain(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
      const carried = firstEvents.find((e) => typeOf(e) === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
      expect(carried).toBeDefined();
      // Two cycles in the first run, then the next run starts claimed: the location is not claimed again.
      expect(validations).toBeGreaterThanOrEqual(2);
      await nextRun(handle.workflowId, second); // and it keeps doing so, with the knobs carried over
      expect(inits).toBe(1);

      await client.workflow.getHandle(handle.workflowId).signal(deleteVaultSignal);
      const status = await client.workflow.getHandle(handle.workflowId).result();
      expect(status.phase).toBe('Available');
      expect(status.message).toContain('could not be stamped deleted: marker write refused');
    });
  });
});

describe('VaultRegistryWorkflow', () => {
  it('continues as new after updatesPerRun updates, carrying live entries and tombstones', async () => {
    const taskQueue = uniqueName('wf-registry');
    const [a, b] = [uniqueName('va'), uniqueName('vb')];
    const mocks: ControlMocks = {
      initVault: async () => ok,
      validateVault: async () => ok,
      retireVault: async () => {},
    };
    await withWorkers([await worker(taskQueue, mocks)], async () => {
      const handle = await client.workflow.start<typeof VaultRegistryWorkflow>('VaultRegistryWorkflow', {
        taskQueue,
        workflowId: uniqueName('vaults'),
        args: [{ updatesPerRun: 3 }],
      });
      const location = (name: string) => ({ store: 'filesystem', prefix: `nowhere/${name}` });
      await handle.executeUpdate(registerVaultUpdate, { args: [{ spec: vaultSpec(a), location: location(a) }] });
      await handle.executeUpdate(registerVaultUpdate, { args: [{ spec: vaultSpec(b), location: location(b) }] });
      await handle.executeUpdate(deleteVaultUpdate, { args: [{ name: a }] });

      const first = handle.firstExecutionRunId;
      const second = await nextRun(handle.workflowId, first);
      expect((await events(handle.workflowId, first)).map(typeOf)).toContain(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
      );
      // The vault a's workflow ended on the delete signal; b's runs on.
      await client.workflow.getHandle(vaultWorkflowId(a)).result();

      const next = client.workflow.getHandle(handle.workflowId, second);
      const entries = await next.query(vaultEntriesQuery);
      expect(Object.fromEntries(entries.map((e) => [e.name, e.state]))).toEqual({ [a]: 'deleted', [b]: 'live' });
      const reused = await next
        .executeUpdate(registerVaultUpdate, { args: [{ spec: vaultSpec(a), location: location(`${a}-2`) }] })
        .catch((err: unknown) => err);
      expect(reused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((reused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('NameAlreadyUsed');

      // The long-lived workflow most exposed to non-determinism on deploy: its first run is replayed.
      await recordHistory(client.workflow.getHandle(handle.workflowId, first), 'vault-registry');
      await client.workflow.getHandle(vaultWorkflowId(b)).terminate('test done');
      await next.terminate('test done');
    });
  });
});

describe('RetentionWorkflow', () => {
  it('deletes more expired backups than run side by side in batches, and asks for `limit` at most', async () => {
    const taskQueue = uniqueName('wf-retention');
    const backups = Array.from({ length: 25 }, (_, i) => uniqueName(`exp${i}`));
    const limits: number[] = [];
    const mocks: ControlMocks = {
      listExpiredBackups: async ({ limit }) => {
        limits.push(limit);
        return {
          backups: backups
            .slice(0, limit)
            .map((backup) => ({ backup, vault: 'v', expiration: '2020-01-01T00:00:00Z' })),
          unreadableVaults: [],
        };
      },
      inspectBackup: async () => undefined, // each delete completes with "nothing to delete"
    };
    await withWorkers([await worker(taskQueue, mocks)], async () => {
      const handle = await client.workflow.start<typeof RetentionWorkflow>('RetentionWorkflow', {
        taskQueue,
        workflowId: uniqueName('gc'),
        args: [{ asOf: '2024-01-01T00:00:00Z' }],
      });
      const result = await handle.result();
      expect(limits).toEqual([500]);
      expect([...result.deleted].sort()).toEqual([...backups].sort());

      // 20 children at a time: the 21st is started only after the first 20 completed.
      const types = (await events(handle.workflowId, handle.firstExecutionRunId)).map(typeOf);
      const initiated = types.flatMap((t, i) =>
        t === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED ? [i] : [],
      );
      const completed = types.flatMap((t, i) =>
        t === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED ? [i] : [],
      );
      expect(initiated).toHaveLength(25);
      expect(completed.filter((i) => i < initiated[20]!)).toHaveLength(20);
      expect(completed.filter((i) => i < initiated[19]!)).toHaveLength(0);

      const limited = await client.workflow.execute<typeof RetentionWorkflow>('RetentionWorkflow', {
        taskQueue,
        workflowId: uniqueName('gc'),
        args: [{ asOf: '2024-01-01T00:00:00Z', limit: 3 }],
      });
      expect(limits).toEqual([500, 3]);
      // Their delete requests ran in the first run (completed, same ids): the second run's are new runs.
      expect(limited.deleted.length + limited.skipped.length).toBe(3);
    });
  });
});

describe('BackupWorkflow', () => {
  const spec = (cluster: string): BackupCreate =>
    ({ name: uniqueName('b'), cluster, vault: 'v', includedNamespaces: ['shop'] }) as unknown as BackupCreate;

  async function failingBackup(discard: ControlMocks['discardBackup']) {
    const taskQueue = uniqueName('wf-backup');
    const cluster = uniqueName('c');
    const discarded: Array<{ backup: string; vault: string }> = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
      discardBackup: async (input) => {
        discarded.push(input);
        return discard!(input);
      },
    };
    const agent: ClusterMocks = {
      planBackup: async () => ({
        namespaces: ['shop'],
        selection: { namespaced: [], clusterScoped: [], clusterScopedOnDemand: [], skipped: [], unknown: [] },
        warnings: [],
        errors: [],
      }),
      backupResources: async () => {
        throw ApplicationFailure.nonRetryable('vault full', 'VaultUnavailable');
      },
    };
    const s = spec(cluster);
    const failure = await withWorkers(
      [await worker(taskQueue, control), await worker(clusterTaskQueue(cluster), agent)],
      async () =>
        client.workflow
          .execute<typeof BackupWorkflow>('BackupWorkflow', {
            taskQueue,
            workflowId: uniqueName('backup'),
            args: [{ spec: s }],
          })
          .catch((err: unknown) => err),
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toBe('vault full');
    return { discarded, status: cause.details?.[0] as TaskStatus, spec: s };
  }

  it('discards the staged files when backupResources fails', async () => {
    const { discarded, status, spec: s } = await failingBackup(async () => {});
    expect(discarded).toEqual([{ backup: s.name, vault: 'v' }]);
    expect(status.phase).toBe('Failed');
    expect(status.failureReason).toBe('vault full');
    expect(status.warnings).toEqual([]);
  });

  it('reports a failed discard as a warning on the failed backup', async () => {
    const { discarded, status } = await failingBackup(async () => {
      throw ApplicationFailure.nonRetryable('permission denied', 'VaultUnavailable');
    });
    expect(discarded).toHaveLength(1);
    expect(status.warnings).toEqual([
      { code: 'Warning', message: expect.stringContaining('could not be removed from vault v: permission denied') },
    ]);
  });
});

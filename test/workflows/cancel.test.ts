// Cancelling a running backup or restore (POST /v1/backups|restores/{name}/cancel is Temporal's
// cancel request), on the time-skipping test server with typed activity mocks. The clock is not
// skipped here: the tests never wait on result() while an activity runs, they poll describe().

import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { RestoreCreate } from '../../domain/restore.js';
import type { TaskStatus } from '../../domain/task.js';
import type { VaultCreate } from '../../domain/vault.js';
import { PhaseKey } from '../../temporal/search-attributes.js';
import { clusterTaskQueue } from '../../temporal/task-queues.js';
import type { BackupWorkflow } from '../../workflows/backup.js';
import type { RestoreWorkflow } from '../../workflows/restore.js';
import { mockWorker, withWorkers, workflowBundle, type ClusterMocks, type ControlMocks } from './mocks.js';
import { timeSkippingEnvironment, unique, until } from './time-skipping-env.js';

let env: TestWorkflowEnvironment;
const vaultSpec = (name: string): VaultCreate => ({ name, backend: 'filesystem', path: `/nowhere/${name}` });

beforeAll(async () => {
  [env] = await Promise.all([timeSkippingEnvironment(), workflowBundle()]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

/** Workers whose heartbeats reach the server at once, so a cancel request is learnt within ~100 ms. */
async function withMocks<T>(queues: Record<string, ControlMocks | ClusterMocks>, fn: () => Promise<T>): Promise<T> {
  const workers = await Promise.all(
    Object.entries(queues).map(([q, mocks]) =>
      mockWorker(env.nativeConnection, 'default', q, mocks, {
        maxHeartbeatThrottleInterval: '50ms',
        defaultHeartbeatThrottleInterval: '50ms',
      }),
    ),
  );
  return withWorkers(workers, fn);
}

/** The workflow's end once it has closed (polled, so the test server's clock is not skipped meanwhile). */
async function cancelledEnd(handle: WorkflowHandle): Promise<{ failure: ApplicationFailure; status: TaskStatus }> {
  await until(async () => (await handle.describe()).status.name !== 'RUNNING', 'the workflow to close');
  const err = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return { failure, status: failure.details?.[0] as TaskStatus };
}

/** An activity that heartbeats until it is cancelled, then reports `onCancel` (or rethrows). */
async function runUntilCancelled(log: string[], name: string, onCancel?: () => unknown): Promise<never> {
  log.push(`${name} started`);
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    if (ctx.cancellationSignal.aborted) {
      log.push(`${name} stopped`);
      throw new CancelledFailure(`${name} cancelled`, onCancel ? [onCancel()] : []);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('BackupWorkflow cancelled', { timeout: 60_000 }, () => {
  const spec = (cluster: string) =>
    ({ name: unique('b'), cluster, vault: 'v', includedNamespaces: ['shop'] }) as unknown as BackupCreate;

  it('while writing to the vault: waits for the writer to stop, then removes the staged files; ends Cancelled', async () => {
    const taskQueue = unique('cancel-backup');
    const cluster = unique('c');
    const log: string[] = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
      discardBackup: async (input) => void log.push(`discard ${input.backup} from ${input.vault}`),
      commitBackup: async () => void log.push('commit'),
    };
    const agent: ClusterMocks = {
      planBackup: async () => ({ namespaces: ['shop'], selection: {} as never, warnings: [], errors: [] }),
      backupResources: () => runUntilCancelled(log, 'backupResources'),
    };
    const s = spec(cluster);
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof BackupWorkflow>('BackupWorkflow', {
        taskQueue,
        workflowId: unique('backup'),
        args: [{ spec: s }],
      });
      await until(() => log.includes('backupResources started'), 'the backup to write');
      await handle.cancel();
      await handle.cancel(); // a second request is a no-op
      const { failure, status } = await cancelledEnd(handle);

      // The writer stopped before the cleanup ran, so nothing it wrote can outlive the discard.
      expect(log).toEqual(['backupResources started', 'backupResources stopped', `discard ${s.name} from v`]);
      expect(failure.type).toBe('Cancelled');
      expect(status.phase).toBe('Cancelled');
      expect(status.failureReason).toBe('the task was cancelled: its staged files were removed from vault v');
      expect(status.errors).toEqual([{ code: 'Cancelled', message: status.failureReason }]);
      expect(status.completionTimestamp).toBeDefined();
      const described = await handle.describe();
      expect(described.status.name).toBe('FAILED'); // with the status as details, which a Temporal "cancelled" cannot carry
      expect(described.typedSearchAttributes.get(PhaseKey)).toBe('Cancelled');
    });
  });

  it('while committing: the commit finishes, nothing is discarded, and the backup completes', async () => {
    const taskQueue = unique('cancel-backup-commit');
    const cluster = unique('c');
    const log: string[] = [];
    let releaseCommit: () => void = () => undefined;
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
      discardBackup: async () => void log.push('discard'),
      commitBackup: async () => {
        log.push('commit started');
        await new Promise<void>((r) => (releaseCommit = r));
        log.push('commit done');
      },
    };
    const agent: ClusterMocks = {
      planBackup: async () => ({ namespaces: ['shop'], selection: {} as never, warnings: [], errors: [] }),
      backupResources: async () => ({ itemsBackedUp: 3, errors: [], warnings: [] }) as never,
    };
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof BackupWorkflow>('BackupWorkflow', {
        taskQueue,
        workflowId: unique('backup'),
        args: [{ spec: spec(cluster) }],
      });
      await until(() => log.includes('commit started'), 'the commit to start');
      await handle.cancel();
      await new Promise((r) => setTimeout(r, 300)); // the cancel request reaches the workflow meanwhile
      releaseCommit();
      await until(async () => (await handle.describe()).status.name !== 'RUNNING', 'the workflow to close');
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(log).toEqual(['commit started', 'commit done']); // no discard beside a commit
      expect((await handle.result()).phase).toBe('Completed');
    });
  });

  it('before anything was staged: nothing to remove, still Cancelled', async () => {
    const taskQueue = unique('cancel-backup-early');
    const cluster = unique('c');
    const log: string[] = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
      discardBackup: async () => void log.push('discard'),
    };
    const agent: ClusterMocks = { planBackup: () => runUntilCancelled(log, 'planBackup') };
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof BackupWorkflow>('BackupWorkflow', {
        taskQueue,
        workflowId: unique('backup'),
        args: [{ spec: spec(cluster) }],
      });
      await until(() => log.includes('planBackup started'), 'the plan to start');
      await handle.cancel();
      const { status } = await cancelledEnd(handle);
      expect(log).toEqual(['planBackup started', 'planBackup stopped']);
      expect(status.phase).toBe('Cancelled');
      expect(status.step).toBe('Plan');
      expect(status.failureReason).toBe('the task was cancelled: nothing had been written to the vault');
    });
  });

  it('reports staged files it could not remove as a warning, and still ends Cancelled', async () => {
    const taskQueue = unique('cancel-backup-discard');
    const cluster = unique('c');
    const log: string[] = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
      discardBackup: async () => {
        throw ApplicationFailure.nonRetryable('permission denied', 'VaultUnavailable');
      },
    };
    const agent: ClusterMocks = {
      planBackup: async () => ({ namespaces: ['shop'], selection: {} as never, warnings: [], errors: [] }),
      backupResources: () => runUntilCancelled(log, 'backupResources'),
    };
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof BackupWorkflow>('BackupWorkflow', {
        taskQueue,
        workflowId: unique('backup'),
        args: [{ spec: spec(cluster) }],
      });
      await until(() => log.includes('backupResources started'), 'the backup to write');
      await handle.cancel();
      const { status } = await cancelledEnd(handle);
      expect(status.phase).toBe('Cancelled');
      expect(status.warnings).toEqual([
        {
          code: 'Warning',
          message:
            'its staged files could not be removed from vault v; deleting the backup removes them: permission denied',
        },
      ]);
    });
  });
});

describe('RestoreWorkflow cancelled', { timeout: 60_000 }, () => {
  it('while creating: the activity stops and reports what it created, which the restore keeps; ends Cancelled', async () => {
    const taskQueue = unique('cancel-restore');
    const cluster = unique('c');
    const log: string[] = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      locateBackup: async () => ({ vault: vaultSpec('v') }),
    };
    const agent: ClusterMocks = {
      restoreResources: () =>
        runUntilCancelled(log, 'restoreResources', () => ({
          totalItems: 10,
          itemsRestored: 4,
          errors: [{ code: 'ItemFailed', message: 'v1/configmaps/shop/a: refused' }],
          warnings: [],
        })),
    };
    const spec = { name: unique('r'), backupName: 'b', cluster } as unknown as RestoreCreate;
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof RestoreWorkflow>('RestoreWorkflow', {
        taskQueue,
        workflowId: unique('restore'),
        args: [{ spec }],
      });
      await until(() => log.includes('restoreResources started'), 'the restore to create');
      await handle.cancel();
      const { failure, status } = await cancelledEnd(handle);
      expect(log).toEqual(['restoreResources started', 'restoreResources stopped']);
      expect(failure.type).toBe('Cancelled');
      expect(status.phase).toBe('Cancelled');
      expect(status.progress).toEqual({ totalItems: 10, itemsRestored: 4 });
      expect(status.failureReason).toBe(
        `the task was cancelled: 4 of 10 items were restored before it stopped; they stay in cluster ${cluster} (GET /v1/restores/${spec.name}/items lists them)`,
      );
      expect(status.errors).toEqual([
        { code: 'ItemFailed', message: 'v1/configmaps/shop/a: refused' },
        { code: 'Cancelled', message: status.failureReason },
      ]);
      expect((await handle.describe()).typedSearchAttributes.get(PhaseKey)).toBe('Cancelled');
    });
  });

  it('while waiting for readiness: everything was created; Cancelled with the full count', async () => {
    const taskQueue = unique('cancel-restore-wait');
    const cluster = unique('c');
    const log: string[] = [];
    const control: ControlMocks = {
      ensureAgent: async () => {},
      locateBackup: async () => ({ vault: vaultSpec('v') }),
    };
    const agent: ClusterMocks = {
      restoreResources: async () => ({
        totalItems: 3,
        itemsRestored: 3,
        errors: [],
        warnings: [],
        readiness: [{ describe: 'pod shop/web' } as never],
      }),
      waitResourcesReady: () => runUntilCancelled(log, 'waitResourcesReady'),
    };
    const spec = { name: unique('r'), backupName: 'b', cluster } as unknown as RestoreCreate;
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const handle = await env.client.workflow.start<typeof RestoreWorkflow>('RestoreWorkflow', {
        taskQueue,
        workflowId: unique('restore'),
        args: [{ spec }],
      });
      await until(() => log.includes('waitResourcesReady started'), 'the readiness wait');
      await handle.cancel();
      const { status } = await cancelledEnd(handle);
      expect(status.phase).toBe('Cancelled');
      expect(status.step).toBe('WaitResourcesReady');
      expect(status.progress).toEqual({ totalItems: 3, itemsRestored: 3 });
    });
  });
});

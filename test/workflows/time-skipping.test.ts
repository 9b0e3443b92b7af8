import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultCheck } from '../../activities/vault/lifecycle.js';
import type { BackupCreate } from '../../domain/backup.js';
import type { TaskStatus } from '../../domain/task.js';
import type { VaultCreate, VaultStatus } from '../../domain/vault.js';
import { deleteVaultSignal, vaultStatusQuery } from '../../temporal/messages.js';
import { clusterTaskQueue } from '../../temporal/task-queues.js';
import { vaultWorkflowId } from '../../temporal/workflow-ids.js';
import type { BackupWorkflow } from '../../workflows/backup.js';
import type { VaultWorkflow, VaultWorkflowInput } from '../../workflows/vault.js';
import { mockWorker, withWorkers, workflowBundle, type ClusterMocks, type ControlMocks } from './mocks.js';
import { timeSkippingEnvironment, unique, until } from './time-skipping-env.js';

// Workflow behaviour that takes hours of timers, run with the production constants (no test
// knobs) on Temporal's time-skipping test server: the server jumps its clock to the next timer
// or timeout whenever the workflows wait, so 21 hours of 5-minute validations take seconds.

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([timeSkippingEnvironment(), workflowBundle()]);
}, 120_000);
afterAll(async () => {
  await env?.teardown();
});

const MINUTE = 60_000;
const ok: VaultCheck = { ok: true, message: null };
const vaultSpec = (name: string): VaultCreate => ({ name, backend: 'filesystem', path: `/nowhere/${name}` });

/** Runs `fn` with a worker of mocked activities on each of `queues`, then shuts the workers down. */
async function withMocks<T>(queues: Record<string, ControlMocks | ClusterMocks>, fn: () => Promise<T>): Promise<T> {
  const workers = await Promise.all(
    Object.entries(queues).map(([q, mocks]) => mockWorker(env.nativeConnection, 'default', q, mocks)),
  );
  return withWorkers(workers, fn);
}

describe('VaultWorkflow on the time-skipping server', { timeout: 60_000 }, () => {
  it('validates the vault on start and every 5 minutes after, lastValidated following the clock', async () => {
    const taskQueue = unique('ts-vault');
    const name = unique('v');
    let validations = 0;
    const mocks: ControlMocks = {
      initVault: async () => ok,
      validateVault: async () => (validations++, ok),
      retireVault: async () => {},
    };
    await withMocks({ [taskQueue]: mocks }, async () => {
      const handle = await env.client.workflow.start<typeof VaultWorkflow>('VaultWorkflow', {
        taskQueue,
        workflowId: vaultWorkflowId(name),
        args: [{ spec: vaultSpec(name) }],
      });
      const status = () => handle.query(vaultStatusQuery);
      await until(async () => (await status()).lastValidated !== null, 'the first validation');
      const first = (await status()).lastValidated!;
      expect(validations).toBe(1);

      const started = await env.currentTimeMs();
      await env.sleep(16 * MINUTE);
      expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(started + 16 * MINUTE);
      await until(() => validations >= 4, '3 more validations');
      const last: VaultStatus = await status();
      expect(validations).toBe(4); // start + 5, 10 and 15 minutes: the 20-minute tick is not due
      expect(last.phase).toBe('Available');
      const elapsed = Date.parse(last.lastValidated!) - Date.parse(first);
      expect(elapsed).toBeGreaterThanOrEqual(15 * MINUTE);
      expect(elapsed).toBeLessThan(16 * MINUTE);

      await handle.signal(deleteVaultSignal);
      await handle.result();
    });
  });

  it('continues as new after CYCLES_PER_RUN 5-minute cycles (about 21 hours), carrying its status and claim', async () => {
    const taskQueue = unique('ts-vault-can');
    const name = unique('v');
    let inits = 0;
    let validations = 0;
    const mocks: ControlMocks = {
      initVault: async () => (inits++, ok),
      validateVault: async () => (validations++, ok),
      retireVault: async () => {},
    };
    await withMocks({ [taskQueue]: mocks }, async () => {
      const handle = await env.client.workflow.start<typeof VaultWorkflow>('VaultWorkflow', {
        taskQueue,
        workflowId: vaultWorkflowId(name),
        args: [{ spec: vaultSpec(name) }],
      });
      const first = handle.firstExecutionRunId;
      await until(() => validations === 1, 'the first validation');
      const t0 = Date.now();
      // 250 cycles of 5 minutes: 20 h 50 min; the first run's 250th wait ends at 20 h 50 min.
      await env.sleep(21 * 60 * MINUTE);
      const latest = async () => (await env.client.workflow.getHandle(handle.workflowId).describe()).runId;
      await until(async () => (await latest()) !== first, 'continue-as-new');
      console.info(`21 hours of VaultWorkflow validations skipped in ${Date.now() - t0} ms`);

      const history = await env.client.workflow.getHandle(handle.workflowId, first).fetchHistory();
      const events = history.events ?? [];
      const EventType = temporal.api.enums.v1.EventType;
      const timers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      expect(timers).toHaveLength(250);
      const can = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
      const carried = defaultPayloadConverter.fromPayload<VaultWorkflowInput>(
        can!.workflowExecutionContinuedAsNewEventAttributes!.input!.payloads![0]!,
      );
      // The next run starts claimed with the status so far, and with no test knobs.
      expect(carried).toEqual({ spec: vaultSpec(name), status: expect.any(Object), claimed: true });
      expect(carried.status!.phase).toBe('Available');
      const started = events[0]!.eventTime!;
      const lastValidated = Date.parse(carried.status!.lastValidated!);
      const startMs = Number(started.seconds) * 1000 + Math.floor((started.nanos ?? 0) / 1e6);
      expect(lastValidated - startMs).toBeGreaterThanOrEqual(249 * 5 * MINUTE);

      await until(() => validations === 252, 'the second run validating on start'); // 250 + 1 + the new run's
      expect(inits).toBe(1); // claimed once, in the first run
      const second = env.client.workflow.getHandle(handle.workflowId);
      expect((await second.query(vaultStatusQuery)).phase).toBe('Available');
      await second.signal(deleteVaultSignal);
      await second.result();
    });
  });
});

describe('BackupWorkflow on the time-skipping server', { timeout: 60_000 }, () => {
  // A hung agent (no answer, no heartbeat) cannot be shown here: after its first 60-second
  // heartbeat timeout the test server stops advancing its clock (env.sleep never returns), so the
  // "backup process timeout" of a silent subtask stays with the dev-server test that shortens the
  // budget (test/integration/backup.test.ts). What the server does show is the budget's retries.
  it("retries a failing agent for the default 60-minute subtask budget, then fails with the FAQ's timeout naming the step and the last error", async () => {
    const taskQueue = unique('ts-backup');
    const cluster = unique('c');
    let attempts = 0;
    const control: ControlMocks = {
      ensureAgent: async () => {},
      prepareBackup: async (input) => ({ vault: vaultSpec(input.vault) }),
    };
    const agent: ClusterMocks = {
      planBackup: async () => {
        attempts++;
        throw ApplicationFailure.retryable('agent busy', 'Transient');
      },
    };
    const spec = { name: unique('b'), cluster, vault: 'v', includedNamespaces: ['shop'] } as unknown as BackupCreate;
    await withMocks({ [taskQueue]: control, [clusterTaskQueue(cluster)]: agent }, async () => {
      const failure = await env.client.workflow
        .execute<typeof BackupWorkflow>('BackupWorkflow', { taskQueue, workflowId: unique('backup'), args: [{ spec }] })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
      // Retries back off 1, 2, 4 ... 60 s; the one that would end past the schedule-to-close budget
      // is not made: the activity fails with retry state TIMEOUT, which is the FAQ's timeout.
      const expected = 'backup process timeout: subtask Plan did not finish in time (last error: agent busy)';
      expect(cause.type).toBe('SubtaskTimeout');
      expect(cause.message).toBe(expected);
      const status = cause.details?.[0] as TaskStatus;
      expect(status.step).toBe('Plan');
      expect(status.failureReason).toBe(expected);
      const ran = Date.parse(status.completionTimestamp!) - Date.parse(status.startTimestamp);
      expect(ran).toBeGreaterThan(55 * MINUTE);
      expect(ran).toBeLessThanOrEqual(60 * MINUTE);
      expect(attempts).toBeGreaterThan(55); // about one a minute once the backoff reaches its cap
    });
  });
});

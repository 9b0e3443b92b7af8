// Activity option presets: timeouts and retry policies, where a reader of a workflow finds them.
// Failure types the error catalogue marks non-retryable are never retried; any other error
// (unknown, transient) is, until the budget runs out.

import { ActivityCancellationType } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';
import { nonRetryableErrorCodes } from '../domain/errors.js';

/** Operator settings a task runs with, fixed when the task starts (so a replay sees the same). */
export interface TaskOptions {
  /** Budget of one subtask that touches a cluster, all retries included: the FAQ's velero_timeout_minutes. */
  subtaskTimeoutMinutes: number;
  /**
   * A silent activity is presumed dead (its worker crashed) after this long and retried elsewhere
   * (config `heartbeatTimeoutSeconds`). Every long step heartbeats at least every second or page;
   * the SDK sends at most one heartbeat per 80% of this, so a killed agent's work resumes within
   * about this long plus the first retry's second.
   */
  heartbeatTimeoutSeconds: number;
  /** The project's own namespace, never backed up unless named. */
  ownNamespace: string;
  /** How long restored PVCs and pods may stay unready before `create cluster resources timeout`. */
  resourceReadyTimeoutMinutes: number;
  /**
   * Whose per-kind concurrency slots the task's cluster work takes (config `concurrency.<kind>`):
   * a backup plan's runs take `schedule`, other backups `backup`.
   */
  concurrencyKind?: ConcurrencyKind;
}

/** The kinds of cluster work limited per agent; the activity input carries it as `kind`. */
export type ConcurrencyKind = 'backup' | 'schedule';

export const defaultTaskOptions: TaskOptions = {
  subtaskTimeoutMinutes: 60,
  heartbeatTimeoutSeconds: 15,
  ownNamespace: 'backup-center',
  resourceReadyTimeoutMinutes: 10,
};

const nonRetryableErrorTypes = [...nonRetryableErrorCodes];

/** Options of an activity that touches a cluster (DESIGN: subtask timeout, heartbeat, retries; validation never retried). */
export function clusterActivityOptions(taskQueue: string, o: TaskOptions): ActivityOptions {
  return {
    taskQueue,
    // A cancelled task waits for the activity to stop (it learns of it at a heartbeat), so a
    // cancelled backup's cleanup never races its writer and a cancelled restore reports what it
    // created. (Unset, the SDK sends TRY_CANCEL and the workflow goes on at once.)
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    scheduleToCloseTimeout: `${o.subtaskTimeoutMinutes} minutes`,
    startToCloseTimeout: `${o.subtaskTimeoutMinutes} minutes`,
    heartbeatTimeout: `${o.heartbeatTimeoutSeconds} seconds`,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes },
  };
}

/** Waiting for restored resources to be ready: its own budget is the configured wait, and it fails with the FAQ's message. */
export function readinessActivityOptions(taskQueue: string, o: TaskOptions): ActivityOptions {
  return {
    ...clusterActivityOptions(taskQueue, o),
    startToCloseTimeout: `${o.resourceReadyTimeoutMinutes + 1} minutes`,
    scheduleToCloseTimeout: `${o.resourceReadyTimeoutMinutes + 2} minutes`,
  };
}

/**
 * Options of vault and bookkeeping activities on the control queue. ensureAgent runs under them
 * too, waiting up to `agentGraceSeconds` for a cluster's agent: the 5-minute start-to-close bounds
 * that grace (MAX_AGENT_GRACE_SECONDS, config's maximum). Every control activity heartbeats while
 * it runs (workers/control-activities.ts), so a killed control worker costs a step 20 seconds,
 * not 5 minutes.
 */
export const controlActivityOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 5, nonRetryableErrorTypes },
};

/** The longest `agentGraceSeconds`: an ensureAgent attempt must end within controlActivityOptions' 5 minutes. */
export const MAX_AGENT_GRACE_SECONDS = 240;

/** Removing a large backup's objects takes a while: a long budget, kept alive by heartbeats. */
export const removalActivityOptions: ActivityOptions = {
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
    nonRetryableErrorTypes,
  },
};

/** Vault checks are short and say "unavailable" in their result; a thrown error is the worker's own trouble. */
export const vaultCheckActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
};

/** Reading a cluster's version and nodes through its agent: the agent may be absent, so give up after a short while. */
export function clusterProbeActivityOptions(taskQueue: string): ActivityOptions {
  return {
    taskQueue,
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  };
}

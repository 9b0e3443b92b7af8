import type { ActivityOptions } from '@temporalio/workflow';

/** Operator settings a task runs with, fixed when the task starts (so a replay sees the same). */
export interface TaskOptions {
  /** Budget of one subtask that touches a cluster, all retries included: the FAQ's velero_timeout_minutes. */
  subtaskTimeoutMinutes: number;
  /** A silent activity is presumed dead (its worker crashed) after this long and retried elsewhere. */
  heartbeatTimeoutSeconds: number;
  /** The project's own namespace, never backed up unless named. */
  ownNamespace: string;
  /** How long restored PVCs and pods may stay unready before `create cluster resources timeout`. */
  resourceReadyTimeoutMinutes: number;
}

export const defaultTaskOptions: TaskOptions = {
  subtaskTimeoutMinutes: 60,
  heartbeatTimeoutSeconds: 60,
  ownNamespace: 'backup-center',
  resourceReadyTimeoutMinutes: 10,
};

/** Options of an activity that touches a cluster (DESIGN: subtask timeout, heartbeat, retries; validation never retried). */
export function clusterActivityOptions(taskQueue: string, o: TaskOptions): ActivityOptions {
  return {
    taskQueue,
    scheduleToCloseTimeout: `${o.subtaskTimeoutMinutes} minutes`,
    startToCloseTimeout: `${o.subtaskTimeoutMinutes} minutes`,
    heartbeatTimeout: `${o.heartbeatTimeoutSeconds} seconds`,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      nonRetryableErrorTypes: [
        'InvalidSpec',
        'NoTargetNamespace',
        'BackupAlreadyExists',
        'BackupNotFound',
        'BackupNotRestorable',
        'VaultUnavailable',
      ],
    },
  };
}

/** Options of vault and bookkeeping activities on the control queue. */
export const controlActivityOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: [
      'InvalidSpec',
      'BackupAlreadyExists',
      'BackupNotFound',
      'BackupNotRestorable',
      'VaultUnavailable',
    ],
  },
};

import {
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { BackupSpec } from '../api/schemas.js';
import { BackupNameKey, ClusterKey, TaskTypeKey, VaultKey } from '../lib/search-attributes.js';
import { backupNameFor } from '../schedules/schedule-spec.js';
import { BackupWorkflow, type BackupResult } from './backup.js';
import { defaultTaskOptions, type TaskOptions } from './task-options.js';

/** Set by the server on every run a Schedule starts: the run's nominal time (whole seconds). */
export const ScheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

export interface ScheduledBackupInput {
  /** The backup plan's name. */
  plan: string;
  /** The backup spec without its name. */
  template: BackupSpec;
  options?: TaskOptions;
}

/**
 * One run of a backup plan: name the backup after the scheduled time, `<plan>-<yyyyMMddHHmmss>`
 * (UTC), and take it as an ordinary backup, `backup/<name>`, so it is listed, queried and deleted
 * like any other. A run fails with the backup's own message (`get target namespace failed` when
 * the plan's namespaces are gone).
 */
export async function ScheduledBackupWorkflow({
  plan,
  template,
  options = defaultTaskOptions,
}: ScheduledBackupInput): Promise<BackupResult> {
  const info = workflowInfo();
  // Deterministic: the scheduled time is fixed when the run starts; a run started by hand uses its start.
  const scheduledAt = info.typedSearchAttributes.get(ScheduledStartTimeKey) ?? info.startTime;
  const name = backupNameFor(plan, scheduledAt);
  upsertSearchAttributes([
    { key: TaskTypeKey, value: 'ScheduledBackup' },
    { key: BackupNameKey, value: name },
    { key: ClusterKey, value: template.cluster },
    { key: VaultKey, value: template.vault },
  ]);

  try {
    return await executeChild(BackupWorkflow, {
      workflowId: `backup/${name}`,
      args: [{ spec: { ...template, name }, options }],
      // The backup is a task of its own: it finishes even if this run is terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.create({
        type: 'NameAlreadyUsed',
        message: `The name is already used. Change the name and try again: backup ${name}`,
        nonRetryable: true,
      });
    }
    if (err instanceof ChildWorkflowFailure && err.cause instanceof ApplicationFailure) {
      // The run fails as the backup did, with its message, code and final status.
      throw ApplicationFailure.create({
        type: err.cause.type ?? undefined,
        message: err.cause.message,
        nonRetryable: true,
        details: err.cause.details ?? undefined,
      });
    }
    throw err;
  }
}

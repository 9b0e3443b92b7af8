import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  ParentClosePolicy,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { ErrorCode, messages } from '../domain/errors.js';
import { backupNameFor } from '../domain/schedule-expression.js';
import { defaultTaskOptions } from '../temporal/activity-options.js';
import {
  BackupNameKey,
  ClusterKey,
  ScheduledStartTimeKey,
  TaskTypeKey,
  VaultKey,
} from '../temporal/search-attributes.js';
import { taskWorkflowId } from '../temporal/workflow-ids.js';
import type { BackupResult, ScheduledBackupInput } from '../temporal/workflow-inputs.js';
import { BackupWorkflow } from './backup.js';

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
      workflowId: taskWorkflowId('Backup', name),
      args: [{ spec: { ...template, name }, options: { ...options, concurrencyKind: 'schedule' } }],
      // The backup is a task of its own: it finishes even if this run is terminated.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.create({
        type: ErrorCode.NameAlreadyUsed,
        message: messages.nameAlreadyUsed(`backup ${name}`),
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

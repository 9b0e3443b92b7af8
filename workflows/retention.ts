import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, ParentClosePolicy, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/vault/lifecycle.js';
import { controlActivityOptions } from '../temporal/activity-options.js';
import { TaskTypeKey } from '../temporal/search-attributes.js';
import { deleteWorkflowId } from '../temporal/workflow-ids.js';
import type { RetentionInput, RetentionResult } from '../temporal/workflow-inputs.js';
import { DeleteWorkflow } from './delete.js';

/** Delete requests run side by side at most; each is a child, so history grows with batches, not objects. */
const PARALLEL_DELETES = 20;
const DEFAULT_LIMIT = 500;

/**
 * Retention GC, run every hour by the schedule `gc/retention`: find the backups whose expiration
 * (start + ttl) has passed, in every vault, and delete each through an ordinary delete request
 * (`delete/backup/<name>`), so a GC deletion is listed and retried like one made by hand.
 */
export async function RetentionWorkflow({
  asOf,
  limit = DEFAULT_LIMIT,
}: RetentionInput = {}): Promise<RetentionResult> {
  const { listExpiredBackups } = proxyActivities<LifecycleActivities>(controlActivityOptions);
  upsertSearchAttributes([{ key: TaskTypeKey, value: 'Retention' }]);

  const result: RetentionResult = {
    asOf: asOf ?? new Date().toISOString(),
    deleted: [],
    skipped: [],
    failed: [],
    unreadableVaults: [],
  };
  const expired = await listExpiredBackups({ asOf: result.asOf, limit });
  result.unreadableVaults = expired.unreadableVaults;

  const deleteOne = async (backup: string) => {
    try {
      await executeChild(DeleteWorkflow, {
        workflowId: deleteWorkflowId('Backup', backup),
        args: [{ spec: { deleteObjectName: backup, deleteObjectType: 'Backup' } }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      result.deleted.push(backup);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) result.skipped.push(backup);
      else
        result.failed.push({
          backup,
          message: err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err),
        });
    }
  };
  for (let i = 0; i < expired.backups.length; i += PARALLEL_DELETES) {
    await Promise.all(expired.backups.slice(i, i + PARALLEL_DELETES).map((b) => deleteOne(b.backup)));
  }
  return result;
}

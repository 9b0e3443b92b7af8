// Retention: the Temporal Schedule `gc/retention` runs RetentionWorkflow every hour, which deletes
// the backups whose `status.expiration` (start + ttl, default 720h) has passed. Created at
// control-worker start; creating it again is a no-op, so every worker may call it.

import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';
import { RETENTION_SCHEDULE_ID, WorkflowType } from '../temporal/workflow-ids.js';
import type { RetentionInput } from '../temporal/workflow-inputs.js';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** Creates the retention schedule unless it exists; says which. An existing schedule is left as it is. */
export async function ensureRetentionSchedule(
  client: Client,
  options: { everyMs?: number } = {},
): Promise<'created' | 'exists'> {
  const input: RetentionInput = {};
  try {
    await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec: { intervals: [{ every: options.everyMs ?? RETENTION_INTERVAL_MS }] },
      action: {
        type: 'startWorkflow',
        workflowType: WorkflowType.Retention,
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: RETENTION_SCHEDULE_ID,
        args: [input],
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      memo: { description: 'Deletes backups whose expiration (start + ttl) has passed.' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}

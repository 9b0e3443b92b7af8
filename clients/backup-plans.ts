// Backup plans (the backup center's BackupSchedule) as Temporal Schedules: schedule id
// `plan/<name>`, each action starts ScheduledBackupWorkflow, which names the backup
// `<plan>-<yyyyMMddHHmmss>` after the scheduled time and runs BackupWorkflow as `backup/<name>`.
// Temporal holds the plan (spec, template, paused state, recent and next runs); nothing else does.

import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
} from '@temporalio/client';
import type { BackupSpec } from '../domain/backup.js';
import type { Schedule, ScheduleCreate } from '../domain/backup-plan.js';
import { BackupNameKey } from '../temporal/search-attributes.js';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';
import { planNameOf, planScheduleId, WorkflowType } from '../temporal/workflow-ids.js';
import type { ScheduledBackupInput } from '../temporal/workflow-inputs.js';
import type { TaskOptions } from '../temporal/activity-options.js';
import { backupNameFor, parseScheduleSpec } from '../domain/schedule-expression.js';

/**
 * Creates plan `plan.name`. A scheduled run is skipped while the previous one still runs (overlap
 * SKIP: two backups of one plan never race). Throws ScheduleAlreadyRunning when the name is used.
 */
export async function createBackupPlan(
  client: Client,
  plan: ScheduleCreate,
  options: TaskOptions,
): Promise<ScheduleHandle> {
  const scheduleId = planScheduleId(plan.name);
  const input: ScheduledBackupInput = { plan: plan.name, template: plan.template, options };
  return client.schedule.create({
    scheduleId,
    // Intervals are milliseconds: the SDK would parse a string with `ms`, which rejects `6h30m`.
    spec: parseScheduleSpec(plan.schedule),
    action: {
      type: 'startWorkflow',
      workflowType: WorkflowType.ScheduledBackup,
      taskQueue: CONTROL_TASK_QUEUE,
      // Temporal appends the scheduled time: `plan/<name>-<RFC 3339 time>`.
      workflowId: scheduleId,
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    state: plan.paused ? { paused: true, note: 'created paused' } : { paused: false },
    // The expression as the user wrote it (`6h30m`), for GET; the spec holds its Temporal form.
    memo: { schedule: plan.schedule },
  });
}

/** The plan as the API serves it, or undefined when there is no such plan. */
export async function describeBackupPlan(client: Client, name: string): Promise<Schedule | undefined> {
  let description: ScheduleDescription;
  try {
    description = await client.schedule.getHandle(planScheduleId(name)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
  return toScheduleResource(client, name, description);
}

/** Every backup plan, by name. */
export async function listBackupPlans(client: Client): Promise<Schedule[]> {
  const names: string[] = [];
  for await (const summary of client.schedule.list()) {
    const name = planNameOf(summary.scheduleId);
    if (name !== undefined) names.push(name);
  }
  const plans = await Promise.all(names.sort().map((n) => describeBackupPlan(client, n)));
  return plans.filter((p): p is Schedule => p !== undefined);
}

export type PlanAction = 'pause' | 'resume' | 'trigger';

/** Pauses, resumes or runs a plan now (a trigger obeys overlap SKIP too). False when there is no such plan. */
export async function actOnBackupPlan(client: Client, name: string, action: PlanAction): Promise<boolean> {
  const handle = client.schedule.getHandle(planScheduleId(name));
  try {
    if (action === 'pause') await handle.pause('paused through the API');
    else if (action === 'resume') await handle.unpause('resumed through the API');
    else await handle.trigger();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}

async function toScheduleResource(client: Client, name: string, d: ScheduleDescription): Promise<Schedule> {
  const input = (d.action.args?.[0] ?? {}) as Partial<ScheduledBackupInput>;
  const memo = (d.memo ?? {}) as { schedule?: unknown };
  const last = d.info.recentActions.at(-1);
  let lastBackup: Schedule['status']['lastBackup'] = null;
  if (last) {
    lastBackup = {
      name: await startedBackupName(client, last.action.workflow, name, last.scheduledAt),
      startTimestamp: last.takenAt.toISOString(),
    };
  }
  return {
    name,
    spec: {
      schedule: typeof memo.schedule === 'string' ? memo.schedule : describeSpec(d),
      paused: d.state.paused,
      template: input.template as BackupSpec,
    },
    status: {
      paused: d.state.paused,
      nextRuns: d.info.nextActionTimes.map((t) => t.toISOString()),
      lastBackup,
    },
  };
}

/**
 * The backup a scheduled run started: the run upserts its name as a search attribute; before that
 * (or once its history is gone) the name follows from the scheduled time as the workflow derives it.
 */
async function startedBackupName(
  client: Client,
  run: { workflowId: string; firstExecutionRunId: string },
  plan: string,
  scheduledAt: Date,
): Promise<string> {
  try {
    const described = await client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).describe();
    const name = described.typedSearchAttributes.get(BackupNameKey);
    if (name) return name;
  } catch {
    // fall through
  }
  return backupNameFor(plan, scheduledAt);
}

function describeSpec(d: ScheduleDescription): string {
  // Plans made here keep their expression in the memo; others show their interval in milliseconds.
  const every = d.spec.intervals?.[0]?.every;
  return every === undefined ? '' : String(every);
}

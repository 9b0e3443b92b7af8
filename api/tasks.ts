// Tasks are Temporal workflows (DESIGN "Tasks are workflows"): this module starts them under their
// fixed ids and reads their status back, for every route that serves a task. The API keeps no
// state: a running task answers the status query, a finished one its result, a failed one the
// TaskStatus it threw as `details[0]` (a cancelled task's too: phase Cancelled), and anything else
// (terminated, timed out, cancelled before its code could say so) is reported as Failed (Cancelled)
// with the reason.

import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionInfo as TemporalExecutionInfo,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import {
  ApplicationFailure,
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  type SearchAttributePair,
} from '@temporalio/common';
import type { Config } from '../config/schema.js';
import { parseGoDuration } from '../lib/duration.js';
import { ErrorCode } from '../domain/errors.js';
import { TaskTypeKey } from '../temporal/search-attributes.js';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';
import type { TaskOptions } from '../temporal/activity-options.js';
import { statusQuery } from '../temporal/messages.js';
import { taskWorkflowId, WorkflowType, type TaskType } from '../temporal/workflow-ids.js';
import {
  TaskStatusSchema,
  type WorkflowPhase as Phase,
  type TaskStatus,
  type TaskIssue,
  type TaskPhase,
} from '../domain/task.js';
import type { ApiDeps } from './deps.js';
import { conflict, HttpProblem } from './problem.js';
import type { BackupStatus } from '../domain/backup.js';
import type { DeleteRequestStatus } from '../domain/delete-request.js';
import type { RestoreStatus } from '../domain/restore.js';
import { startedSpec } from '../clients/started-spec.js';

/** How long the API waits for a running task to answer its status query before reporting what it knows. */
export const STATUS_QUERY_TIMEOUT_MS = 3_000;

/** The workflow's page in the Temporal Web UI, or null when no UI is configured. */
export function temporalUiLink(
  uiUrl: string | null | undefined,
  namespace: string,
  workflowId: string,
  runId: string,
): string | null {
  if (!uiUrl) return null;
  const base = uiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/** The operator settings a task runs with, fixed at its start. */
export function taskOptionsFromConfig(config: Config): TaskOptions {
  return {
    subtaskTimeoutMinutes: config.subtaskTimeoutMinutes,
    heartbeatTimeoutSeconds: config.heartbeatTimeoutSeconds,
    ownNamespace: config.ownNamespace,
    resourceReadyTimeoutMinutes: config.resourceReadyTimeoutMinutes,
  };
}

// ---------------------------------------------------------------------------------------------
// Starting

export interface StartTaskInput {
  type: TaskType;
  /** The create body (`{name, …spec}`) the workflow receives as `spec`. */
  spec: { name: string } & Record<string, unknown>;
  /** Search attributes besides the task type and phase, e.g. cluster and vault. */
  searchAttributes?: SearchAttributePair[];
  options?: TaskOptions;
}

export interface StartedTask {
  workflowId: string;
  runId: string;
  startTime: Date;
}

/**
 * Starts the task's workflow under its fixed id. A used name (a workflow of that id exists,
 * running or closed and still retained) answers 409 with the FAQ's wording.
 */
export async function startTask(deps: Pick<ApiDeps, 'client' | 'config'>, input: StartTaskInput): Promise<StartedTask> {
  const workflowId = taskWorkflowId(input.type, input.spec.name);
  const startTime = new Date();
  try {
    const handle = await deps.client.workflow.start(WorkflowType[input.type], {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      args: [{ spec: input.spec, options: input.options ?? taskOptionsFromConfig(deps.config) }],
      // The spec rides along as memo, so lists and reads need no history fetch.
      memo: { spec: input.spec },
      typedSearchAttributes: [
        { key: TaskTypeKey, value: input.type },
        ...(input.searchAttributes ?? []),
      ] as SearchAttributePair[],
    });
    return { workflowId, runId: handle.firstExecutionRunId, startTime };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw conflict(`a ${input.type.toLowerCase()} named ${JSON.stringify(input.spec.name)} exists`);
    }
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** What describe() and visibility lists both give of an execution. */
export type WorkflowExecutionInfo = Omit<TemporalExecutionInfo, 'raw'>;

/** A task as Temporal knows it. */
export interface TaskSnapshot {
  workflowId: string;
  runId: string;
  executionStatus: WorkflowExecutionStatusName;
  /** The create body the workflow was started with, when it can be read. */
  spec: Record<string, unknown> | undefined;
  status: TaskStatus;
  info: WorkflowExecutionInfo;
}

/** The task of this workflow id, or undefined when Temporal has no such workflow. */
export async function readTask(deps: Pick<ApiDeps, 'client'>, workflowId: string): Promise<TaskSnapshot | undefined> {
  let info: WorkflowExecutionInfo;
  try {
    info = await deps.client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  return snapshotOf(deps, info);
}

/** Status and spec of a workflow found by describe or by a visibility list. */
export async function snapshotOf(deps: Pick<ApiDeps, 'client'>, info: WorkflowExecutionInfo): Promise<TaskSnapshot> {
  const [spec, status] = await Promise.all([specOf(deps.client, info), statusOf(deps.client, info)]);
  return { workflowId: info.workflowId, runId: info.runId, executionStatus: info.status.name, spec, status, info };
}

/** Executions matching a visibility query, newest first, at most `limit`. */
export async function listExecutions(
  deps: Pick<ApiDeps, 'client'>,
  query: string,
  limit = 1000,
): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const info of deps.client.workflow.list({ query, pageSize: Math.min(limit, 200) })) {
    out.push(info);
    if (out.length >= limit) break;
  }
  return out;
}

/** Whether `value` is a workflow's TaskStatus (domain/task.ts); anything else is reported from what Temporal knows. */
export function isTaskStatus(value: unknown): value is TaskStatus {
  return TaskStatusSchema.safeParse(value).success;
}

/** The create body a task was started with: its memo, else (started by a schedule or the Temporal CLI) its input. */
function specOf(client: Client, info: WorkflowExecutionInfo): Promise<Record<string, unknown> | undefined> {
  return startedSpec(client, info);
}

async function statusOf(client: Client, info: WorkflowExecutionInfo): Promise<TaskStatus> {
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  if (info.status.name === 'RUNNING') {
    try {
      const status = await client.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () => handle.query(statusQuery));
      if (isTaskStatus(status)) return status;
    } catch {
      // No worker answered in time (or the workflow has not run its first task yet).
    }
    return synthesizedStatus(info, 'InProgress');
  }
  try {
    const result: unknown = await handle.result();
    if (isTaskStatus(result)) return result;
    return synthesizedStatus(info, 'Completed');
  } catch (err) {
    return failedStatus(info, err);
  }
}

/** The status of a task the API has just started, before its workflow has answered a query. */
export function startedStatus(startTime: Date): TaskStatus {
  return {
    phase: 'InProgress',
    step: '',
    startTimestamp: startTime.toISOString(),
    errors: [],
    warnings: [],
    progress: {},
  };
}

/** What a closed, unsuccessful workflow reports: its TaskStatus from `details[0]`, or the reason it ended. */
export function failedStatus(
  info: Pick<WorkflowExecutionInfo, 'startTime' | 'closeTime' | 'status'>,
  err: unknown,
): TaskStatus {
  const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0];
    if (isTaskStatus(details)) return details;
  }
  const reason = endReason(info.status.name, cause ?? err);
  const status = synthesizedStatus(info, reason.code === ErrorCode.Cancelled ? 'Cancelled' : 'Failed');
  status.failureReason = reason.message;
  status.errors.push(reason);
  return status;
}

function endReason(name: WorkflowExecutionStatusName, cause: unknown): TaskIssue {
  const message = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  if (name === 'TERMINATED' || cause instanceof TerminatedFailure) {
    return { code: 'Terminated', message: `the task's workflow was terminated${message}` };
  }
  if (name === 'CANCELLED' || cause instanceof CancelledFailure) {
    return { code: 'Cancelled', message: 'the task was cancelled' };
  }
  if (name === 'TIMED_OUT' || cause instanceof TimeoutFailure) {
    return { code: 'TimedOut', message: "the task's workflow timed out" };
  }
  return {
    code: ErrorCode.Internal,
    message: cause instanceof Error && cause.message ? cause.message : 'internal error',
  };
}

function synthesizedStatus(info: Pick<WorkflowExecutionInfo, 'startTime' | 'closeTime'>, phase: Phase): TaskStatus {
  return {
    phase,
    step: '',
    startTimestamp: info.startTime.toISOString(),
    ...(info.closeTime ? { completionTimestamp: info.closeTime.toISOString() } : {}),
    errors: [],
    warnings: [],
    progress: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Cancelling

/** Steps past which a task finishes whatever is asked: a backup's commit makes it visible at once. */
const COMMITTING_STEPS: readonly string[] = ['Commit', 'Done'];

/**
 * Cancels a task's workflow (POST /v1/backups|restores/{name}/cancel). A running task gets
 * Temporal's cancel request (asking again while it winds down is a no-op); a task that already
 * ended Cancelled is a no-op too; a task committing its result or finished otherwise is 409
 * `TaskFinished`.
 */
export async function cancelTask(deps: Pick<ApiDeps, 'client'>, what: string, snap: TaskSnapshot): Promise<void> {
  let current = snap;
  if (current.executionStatus === 'RUNNING' && COMMITTING_STEPS.includes(current.status.step)) {
    throw new HttpProblem({
      status: 409,
      code: 'TaskFinished',
      detail: `${what} is committing its result; it can no longer be cancelled`,
    });
  }
  if (current.executionStatus === 'RUNNING') {
    try {
      await deps.client.workflow.getHandle(current.workflowId, current.runId).cancel();
      return;
    } catch (err) {
      // It ended between the read and the request: answer from how it ended.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      current = (await readTask(deps, current.workflowId)) ?? current;
    }
  }
  if (current.status.phase === 'Cancelled') return;
  throw new HttpProblem({
    status: 409,
    code: 'TaskFinished',
    detail: `${what} has finished (${apiPhase(current.status.phase)}); only a running task can be cancelled`,
  });
}

// ---------------------------------------------------------------------------------------------
// The API's status shape

/** A workflow phase as the API's TaskPhase: a conversion's ConvertFailed is Failed for every other task kind. */
export function apiPhase(phase: Phase): TaskPhase {
  return phase === 'ConvertFailed' ? 'Failed' : phase;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}

function commonStatus(status: TaskStatus, temporalUi: string | null) {
  return {
    phase: apiPhase(status.phase),
    ...(status.phase === 'InProgress' && status.step ? { step: status.step } : {}),
    startTimestamp: status.startTimestamp ?? null,
    completionTimestamp: status.completionTimestamp ?? null,
    errors: status.errors,
    warnings: status.warnings,
    failureReason: status.failureReason ?? null,
    links: { temporalUi },
  };
}

/** When retention deletes the backup: start + ttl; null for a failed or cancelled backup (nothing is kept) or a bad ttl. */
export function backupExpiration(startTimestamp: string | null, ttl: unknown, phase: TaskPhase): string | null {
  if (startTimestamp === null || typeof ttl !== 'string' || phase === 'Failed' || phase === 'Cancelled') return null;
  const start = Date.parse(startTimestamp);
  if (Number.isNaN(start)) return null;
  try {
    return new Date(start + parseGoDuration(ttl)).toISOString();
  } catch {
    return null;
  }
}

export function toBackupStatus(status: TaskStatus, temporalUi: string | null, ttl: unknown): BackupStatus {
  const common = commonStatus(status, temporalUi);
  return {
    ...common,
    progress: { totalItems: count(status.progress.totalItems), itemsBackedUp: count(status.progress.itemsBackedUp) },
    expiration: backupExpiration(common.startTimestamp, ttl, common.phase),
  };
}

export function toRestoreStatus(status: TaskStatus, temporalUi: string | null): RestoreStatus {
  return {
    ...commonStatus(status, temporalUi),
    progress: { totalItems: count(status.progress.totalItems), itemsRestored: count(status.progress.itemsRestored) },
  };
}

export function toDeleteRequestStatus(status: TaskStatus, temporalUi: string | null): DeleteRequestStatus {
  return {
    ...commonStatus(status, temporalUi),
    progress: { totalItems: count(status.progress.totalItems), itemsDeleted: count(status.progress.itemsDeleted) },
  };
}

/** The create body without its name: the resource's `spec`. */
export function specWithoutName(spec: Record<string, unknown> | undefined): Record<string, unknown> {
  if (spec === undefined) return {};
  const { name: _name, ...rest } = spec;
  return rest;
}

import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure } from '@temporalio/workflow';
import { ErrorCode, messages } from '../domain/errors.js';
import type { TaskStatus } from '../domain/task.js';

/** The FAQ's wording for a failed task: a subtask past its budget is `backup process timeout`, naming it. */
export function describeFailure(err: unknown, step: string): { code: string; message: string } {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure)
      return { code: ErrorCode.SubtaskTimeout, message: messages.subtaskTimeout(step) };
    // The budget ran out between retries: still the FAQ's timeout, with what kept failing.
    if (err.retryState === 'TIMEOUT' && err.cause instanceof Error)
      return {
        code: ErrorCode.SubtaskTimeout,
        message: `${messages.subtaskTimeout(step)} (last error: ${err.cause.message})`,
      };
    if (err.cause instanceof ApplicationFailure)
      return { code: err.cause.type ?? ErrorCode.Internal, message: err.cause.message };
  }
  if (err instanceof ApplicationFailure) return { code: err.type ?? ErrorCode.Internal, message: err.message };
  return { code: ErrorCode.Internal, message: messages.internal() };
}

/**
 * Records why a task failed in its status and returns the failure to throw: the workflow fails
 * (red in the Temporal UI) and carries its final status as details for the API.
 */
export function taskFailure(status: TaskStatus, err: unknown): ApplicationFailure {
  const failure = describeFailure(err, status.step);
  status.failureReason = failure.message;
  status.errors.push({ code: failure.code, message: failure.message });
  status.completionTimestamp = new Date().toISOString();
  return ApplicationFailure.create({
    message: failure.message,
    type: failure.code,
    nonRetryable: true,
    details: [status],
  });
}

/** The innermost message of a failure: an activity's own error rather than "Activity task failed". */
export function causeMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Records that a task was cancelled (phase Cancelled, a `Cancelled` issue saying what was kept)
 * and returns the failure to throw: the workflow fails with its final status as details, as a
 * failed task does, so the API reads phase Cancelled from it. (A workflow that ends as Temporal's
 * "cancelled" carries no details.)
 */
export function taskCancelled(status: TaskStatus, outcome: string): ApplicationFailure {
  const message = `the task was cancelled: ${outcome}`;
  status.failureReason = message;
  status.errors.push({ code: ErrorCode.Cancelled, message });
  status.completionTimestamp = new Date().toISOString();
  return ApplicationFailure.create({ message, type: ErrorCode.Cancelled, nonRetryable: true, details: [status] });
}

/** What a cancelled activity reported as it stopped (the details of its CancelledFailure), if anything. */
export function cancellationDetails(err: unknown): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof CancelledFailure) return e.details?.[0];
  }
  return undefined;
}

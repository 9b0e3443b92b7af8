import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { ErrorCode, messages } from '../lib/errors.js';

/** The FAQ's wording for a failed task: a subtask past its budget is `backup process timeout`, naming it. */
export function describeFailure(err: unknown, step: string): { code: string; message: string } {
  if (err instanceof ActivityFailure) {
    if (err.cause instanceof TimeoutFailure)
      return { code: ErrorCode.SubtaskTimeout, message: messages.subtaskTimeout(step) };
    if (err.cause instanceof ApplicationFailure)
      return { code: err.cause.type ?? ErrorCode.Internal, message: err.cause.message };
  }
  if (err instanceof ApplicationFailure) return { code: err.type ?? ErrorCode.Internal, message: err.message };
  return { code: ErrorCode.Internal, message: messages.internal() };
}

import { setHandler, workflowInfo } from '@temporalio/workflow';
import type { TaskStatus } from '../domain/task.js';
import { progressSignal, statusQuery } from '../temporal/messages.js';

/** A task's status from its start: served by the status query, counters updated by the progress signal. */
export function trackTaskStatus(step: string, progress: Record<string, number>): TaskStatus {
  const status: TaskStatus = {
    phase: 'InProgress',
    step,
    startTimestamp: workflowInfo().startTime.toISOString(),
    errors: [],
    warnings: [],
    progress,
  };
  setHandler(statusQuery, () => status);
  setHandler(progressSignal, (p) => void Object.assign(status.progress, p));
  return status;
}

import { defineQuery, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TaskIssue } from '../lib/errors.js';

export type Phase = 'New' | 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed' | 'ConvertFailed';

/** What a task's `status` holds while it runs and when it ends (the API serves it as is). */
export interface TaskStatus {
  phase: Phase;
  step: string;
  startTimestamp: string;
  completionTimestamp?: string;
  errors: TaskIssue[];
  warnings: TaskIssue[];
  failureReason?: string;
  progress: Record<string, number>;
}

/** The progress query every task workflow answers. */
export const statusQuery = defineQuery<TaskStatus>('status');

/** Long activities report counters through this signal, throttled, so history grows with time, not with objects. */
export const progressSignal = defineSignal<[Record<string, number>]>('progress');

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

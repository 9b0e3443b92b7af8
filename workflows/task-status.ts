import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { TaskStatus, WorkflowPhase } from '../domain/task.js';
import { progressSignal, statusQuery } from '../temporal/messages.js';
import { PhaseKey, TaskTypeKey } from '../temporal/search-attributes.js';

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

/**
 * Sets a task's phase and upserts its search attributes: the task type, the phase, then what
 * `more` names at that moment (backup, cluster, vault), so the Temporal UI can filter tasks.
 */
export function phaseSetter(
  status: TaskStatus,
  taskType: string,
  more: () => SearchAttributeUpdatePair[],
): (phase: WorkflowPhase) => void {
  return (phase) => {
    status.phase = phase;
    upsertSearchAttributes([{ key: TaskTypeKey, value: taskType }, { key: PhaseKey, value: phase }, ...more()]);
  };
}

import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, RetryState, TerminatedFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { TaskStatus } from '../domain/task.js';
import {
  apiPhase,
  backupExpiration,
  failedStatus,
  isTaskStatus,
  specWithoutName,
  temporalUiLink,
  toBackupStatus,
  toRestoreStatus,
  cancelTask,
  type TaskSnapshot,
} from './tasks.js';
import { taskNameFromWorkflowId, taskWorkflowId } from '../temporal/workflow-ids.js';

const status = (over: Partial<TaskStatus> = {}): TaskStatus => ({
  phase: 'Completed',
  step: 'Done',
  startTimestamp: '2025-01-01T00:00:00.000Z',
  completionTimestamp: '2025-01-01T00:01:00.000Z',
  errors: [],
  warnings: [{ code: 'InvalidSpec', message: 'resource foo is not served', item: 'foo' }],
  progress: { totalItems: 20, itemsBackedUp: 19 },
  ...over,
});

describe('workflow ids and links', () => {
  it('names tasks backup/<name> and restore/<name>, and back', () => {
    expect(taskWorkflowId('Backup', 'nginx-1')).toBe('backup/nginx-1');
    expect(taskWorkflowId('Restore', 'r1')).toBe('restore/r1');
    expect(taskNameFromWorkflowId('Backup', 'backup/nginx-1')).toBe('nginx-1');
    expect(taskNameFromWorkflowId('Backup', 'restore/nginx-1')).toBeUndefined();
  });

  it('links the workflow history page in the Temporal UI, with the id encoded', () => {
    expect(temporalUiLink('http://localhost:8233/', 'default', 'backup/nginx-1', 'abc')).toBe(
      'http://localhost:8233/namespaces/default/workflows/backup%2Fnginx-1/abc/history',
    );
    expect(temporalUiLink(null, 'default', 'backup/x', 'abc')).toBeNull();
    expect(temporalUiLink('', 'default', 'backup/x', 'abc')).toBeNull();
  });
});

describe('the API status shape', () => {
  it('maps a backup TaskStatus, with expiration start + ttl', () => {
    expect(toBackupStatus(status(), 'http://ui/x', '72h')).toEqual({
      phase: 'Completed',
      startTimestamp: '2025-01-01T00:00:00.000Z',
      completionTimestamp: '2025-01-01T00:01:00.000Z',
      expiration: '2025-01-04T00:00:00.000Z',
      errors: [],
      warnings: [{ code: 'InvalidSpec', message: 'resource foo is not served', item: 'foo' }],
      failureReason: null,
      progress: { totalItems: 20, itemsBackedUp: 19 },
      links: { temporalUi: 'http://ui/x' },
    });
  });

  it('fills absent counters with 0 and absent timestamps with null', () => {
    const s = toRestoreStatus(status({ phase: 'InProgress', completionTimestamp: undefined, progress: {} }), null);
    expect(s).toMatchObject({
      phase: 'InProgress',
      completionTimestamp: null,
      progress: { totalItems: 0, itemsRestored: 0 },
      links: { temporalUi: null },
    });
  });

  it("shows a running task's step, such as waiting for the cluster agent, and no step once it ended", () => {
    const running = toBackupStatus(status({ phase: 'InProgress', step: 'WaitAgent' }), null, '1h');
    expect(running.step).toBe('WaitAgent');
    expect(toRestoreStatus(status({ phase: 'Failed', step: 'WaitAgent' }), null)).not.toHaveProperty('step');
  });

  it('keeps the four task phases and folds the others', () => {
    expect((['InProgress', 'Completed', 'PartiallyFailed', 'Failed'] as const).map(apiPhase)).toEqual([
      'InProgress',
      'Completed',
      'PartiallyFailed',
      'Failed',
    ]);
    expect(apiPhase('ConvertFailed')).toBe('Failed');
  });

  it('gives a failed backup no expiration, and tolerates a bad ttl', () => {
    expect(backupExpiration('2025-01-01T00:00:00Z', '1h', 'Failed')).toBeNull();
    expect(backupExpiration('2025-01-01T00:00:00Z', 'soon', 'Completed')).toBeNull();
    expect(backupExpiration(null, '1h', 'Completed')).toBeNull();
  });

  it('drops the name from the create body for `spec`', () => {
    expect(specWithoutName({ name: 'x', cluster: 'a' })).toEqual({ cluster: 'a' });
    expect(specWithoutName(undefined)).toEqual({});
  });
});

describe('failedStatus', () => {
  const info = {
    startTime: new Date('2025-01-01T00:00:00Z'),
    closeTime: new Date('2025-01-01T00:05:00Z'),
    status: { code: 0, name: 'FAILED' as const },
  };

  it('uses the TaskStatus the workflow threw as details[0]', () => {
    const thrown = status({ phase: 'Failed', failureReason: 'get target namespace failed' });
    const err = new WorkflowFailedError(
      'failed',
      ApplicationFailure.create({
        message: 'get target namespace failed',
        type: 'NoTargetNamespace',
        details: [thrown],
      }),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    expect(failedStatus(info, err)).toBe(thrown);
  });

  it('reports a terminated workflow as Failed with the reason', () => {
    const err = new WorkflowFailedError(
      'terminated',
      new TerminatedFailure('by operator'),
      RetryState.NON_RETRYABLE_FAILURE,
    );
    const s = failedStatus({ ...info, status: { code: 0, name: 'TERMINATED' } }, err);
    expect(s.phase).toBe('Failed');
    expect(s.failureReason).toMatch(/terminated: by operator/);
    expect(s.errors).toEqual([{ code: 'Terminated', message: s.failureReason }]);
    expect(s.completionTimestamp).toBe('2025-01-01T00:05:00.000Z');
  });

  it('reports a timed-out workflow as Failed', () => {
    const err = new WorkflowFailedError('Workflow execution timed out', undefined, RetryState.TIMEOUT);
    expect(failedStatus({ ...info, status: { code: 0, name: 'TIMED_OUT' } }, err).errors[0]?.code).toBe('TimedOut');
  });
});

describe('helpers', () => {
  it('recognises a TaskStatus', () => {
    expect(isTaskStatus(status())).toBe(true);
    expect(isTaskStatus({ phase: 'Completed' })).toBe(false);
    expect(isTaskStatus(status({ errors: [{ code: 1 } as never] }))).toBe(false);
    expect(isTaskStatus(status({ phase: 'Exploded' as never }))).toBe(false);
    expect(isTaskStatus(null)).toBe(false);
  });
});

describe('cancelTask', () => {
  const snapshot = (step: string): TaskSnapshot =>
    ({
      workflowId: 'backup/b1',
      runId: 'r1',
      executionStatus: 'RUNNING',
      spec: undefined,
      status: status({ phase: 'InProgress', step }),
    }) as unknown as TaskSnapshot;
  const client = (cancelled: string[]) =>
    ({ workflow: { getHandle: (id: string) => ({ cancel: async () => void cancelled.push(id) }) } }) as never;

  it('sends a running task the cancel request', async () => {
    const cancelled: string[] = [];
    await cancelTask({ client: client(cancelled) }, 'backup "b1"', snapshot('BackupResources'));
    expect(cancelled).toEqual(['backup/b1']);
  });

  it('answers 409 for a backup committing its result, and sends nothing', async () => {
    const cancelled: string[] = [];
    await expect(cancelTask({ client: client(cancelled) }, 'backup "b1"', snapshot('Commit'))).rejects.toMatchObject({
      status: 409,
      code: 'TaskFinished',
    });
    expect(cancelled).toEqual([]);
  });
});

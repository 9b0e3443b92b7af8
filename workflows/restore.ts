import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { RestoreCreate } from '../api/schemas.js';
import type { RestoreClusterActivities } from '../activities/restore/cluster.js';
import type { VaultActivities } from '../activities/vault/control.js';
import type { AgentActivities } from '../activities/agents.js';
import { BackupNameKey, ClusterKey, PhaseKey, TaskTypeKey, VaultKey } from '../lib/search-attributes.js';
import { clusterTaskQueue } from '../workers/task-queues.js';
import { taskFailure } from './failure.js';
import {
  clusterActivityOptions,
  controlActivityOptions,
  defaultTaskOptions,
  type TaskOptions,
} from './task-options.js';
import { trackTaskStatus, type Phase, type TaskStatus } from './task-status.js';

export interface RestoreInput {
  spec: RestoreCreate;
  options?: TaskOptions;
}

/**
 * ApplicationRestore: find the backup in a vault (only completed ones are offered), create its
 * objects in the target cluster in priority order through that cluster's agent, then wait for
 * what was ready in the source (bound PVCs, running pods) to be ready again.
 */
export async function RestoreWorkflow({ spec, options = defaultTaskOptions }: RestoreInput): Promise<TaskStatus> {
  const control = proxyActivities<VaultActivities & AgentActivities>(controlActivityOptions);
  const cluster = proxyActivities<RestoreClusterActivities>(
    clusterActivityOptions(clusterTaskQueue(spec.cluster), options),
  );
  const waiting = proxyActivities<RestoreClusterActivities>({
    ...clusterActivityOptions(clusterTaskQueue(spec.cluster), options),
    // Its own budget is the configured wait; it fails with the FAQ's message, never retried.
    startToCloseTimeout: `${options.resourceReadyTimeoutMinutes + 1} minutes`,
    scheduleToCloseTimeout: `${options.resourceReadyTimeoutMinutes + 2} minutes`,
  });

  const status = trackTaskStatus('LocateBackup', { totalItems: 0, itemsRestored: 0 });
  let vaultName = '';
  const setPhase = (phase: Phase) => {
    status.phase = phase;
    upsertSearchAttributes([
      { key: TaskTypeKey, value: 'Restore' },
      { key: PhaseKey, value: phase },
      { key: BackupNameKey, value: spec.backupName },
      { key: ClusterKey, value: spec.cluster },
      ...(vaultName ? [{ key: VaultKey, value: vaultName }] : []),
    ]);
  };
  setPhase('InProgress');

  try {
    await control.ensureAgent({ cluster: spec.cluster });
    const { vault } = await control.locateBackup({ backup: spec.backupName });
    vaultName = vault.name;
    setPhase('InProgress');

    status.step = 'RestoreResources';
    const done = await cluster.restoreResources({ spec, vault });
    status.errors.push(...done.errors);
    status.warnings.push(...done.warnings);
    status.progress = { totalItems: done.totalItems, itemsRestored: done.itemsRestored };

    if (done.readiness.length > 0 && options.resourceReadyTimeoutMinutes > 0) {
      status.step = 'WaitResourcesReady';
      await waiting.waitResourcesReady({ checks: done.readiness, timeoutMinutes: options.resourceReadyTimeoutMinutes });
    }
    status.step = 'Done';
    status.completionTimestamp = new Date().toISOString();
    setPhase(status.errors.length > 0 ? 'PartiallyFailed' : 'Completed');
    return status;
  } catch (err) {
    const failure = taskFailure(status, err);
    setPhase('Failed');
    throw failure;
  }
}

import { isCancellation, proxyActivities } from '@temporalio/workflow';
import type { RestoreClusterActivities } from '../activities/restore/cluster.js';
import type { VaultActivities } from '../activities/vault/control.js';
import type { AgentActivities } from '../activities/agents.js';
import type { TaskIssue, TaskStatus } from '../domain/task.js';
import { isRecord } from '../domain/values.js';
import {
  clusterActivityOptions,
  controlActivityOptions,
  defaultTaskOptions,
  readinessActivityOptions,
} from '../temporal/activity-options.js';
import { BackupNameKey, ClusterKey, VaultKey } from '../temporal/search-attributes.js';
import { clusterTaskQueue } from '../temporal/task-queues.js';
import type { RestoreInput } from '../temporal/workflow-inputs.js';
import { cancellationDetails, taskCancelled, taskFailure } from './failure.js';
import { phaseSetter, trackTaskStatus } from './task-status.js';

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
  const waiting = proxyActivities<RestoreClusterActivities>(
    readinessActivityOptions(clusterTaskQueue(spec.cluster), options),
  );

  const status = trackTaskStatus('LocateBackup', { totalItems: 0, itemsRestored: 0 });
  let vaultName = '';
  const setPhase = phaseSetter(status, 'Restore', () => [
    { key: BackupNameKey, value: spec.backupName },
    { key: ClusterKey, value: spec.cluster },
    ...(vaultName ? [{ key: VaultKey, value: vaultName }] : []),
  ]);
  setPhase('InProgress');

  try {
    status.step = 'WaitAgent'; // waiting for the cluster agent, up to agentGraceSeconds
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
    if (isCancellation(err)) {
      // Cancelled (POST /v1/restores/{name}/cancel): the restore activity stopped creating and
      // reported what it had done; what it created stays, and its items are recorded in the vault.
      const stopped = cancellationDetails(err);
      if (isRecord(stopped)) {
        if (Array.isArray(stopped.errors)) status.errors.push(...(stopped.errors as TaskIssue[]));
        if (Array.isArray(stopped.warnings)) status.warnings.push(...(stopped.warnings as TaskIssue[]));
        if (typeof stopped.itemsRestored === 'number' && typeof stopped.totalItems === 'number')
          status.progress = { totalItems: stopped.totalItems, itemsRestored: stopped.itemsRestored };
      }
      const { itemsRestored = 0, totalItems = 0 } = status.progress;
      const failure = taskCancelled(
        status,
        `${itemsRestored} of ${totalItems} items were restored before it stopped; they stay in cluster ${spec.cluster} (GET /v1/restores/${spec.name}/items lists them)`,
      );
      setPhase('Cancelled');
      throw failure;
    }
    const failure = taskFailure(status, err);
    setPhase('Failed');
    throw failure;
  }
}

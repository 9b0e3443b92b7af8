import { CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BackupClusterActivities } from '../activities/backup/cluster.js';
import type { VaultActivities } from '../activities/vault/control.js';
import type { AgentActivities } from '../activities/agents.js';
import type { WorkflowPhase } from '../domain/task.js';
import { clusterActivityOptions, controlActivityOptions, defaultTaskOptions } from '../temporal/activity-options.js';
import { BackupNameKey, ClusterKey, VaultKey } from '../temporal/search-attributes.js';
import { clusterTaskQueue } from '../temporal/task-queues.js';
import type { BackupInput, BackupResult } from '../temporal/workflow-inputs.js';
import { causeMessage, taskCancelled, taskFailure } from './failure.js';
import { ErrorCode } from '../domain/errors.js';
import { phaseSetter, trackTaskStatus } from './task-status.js';

/**
 * ApplicationBackup: check the vault, plan what to take from the cluster, stream every object in
 * every served version into the vault, then commit by writing the backup's metadata last. A
 * backup that fails or is cancelled leaves nothing restorable: its staged files are removed.
 */
export async function BackupWorkflow({ spec, options = defaultTaskOptions }: BackupInput): Promise<BackupResult> {
  const vault = proxyActivities<VaultActivities & AgentActivities>(controlActivityOptions);
  const cluster = proxyActivities<BackupClusterActivities>(
    clusterActivityOptions(clusterTaskQueue(spec.cluster), options),
  );

  const status = trackTaskStatus('ValidateVault', { totalItems: 0, itemsBackedUp: 0 });
  const setPhase = phaseSetter(status, 'Backup', () => [
    { key: BackupNameKey, value: spec.name },
    { key: ClusterKey, value: spec.cluster },
    { key: VaultKey, value: spec.vault },
  ]);
  setPhase('InProgress');

  let staged = false;
  // Cancelled (POST /v1/backups/{name}/cancel): the running activity has stopped (cluster activities
  // wait for that); the staged files are removed even though the workflow is cancelled.
  const cancelled = async () => {
    let outcome = 'nothing had been written to the vault';
    if (staged) {
      outcome = `its staged files were removed from vault ${spec.vault}`;
      await CancellationScope.nonCancellable(() => vault.discardBackup({ backup: spec.name, vault: spec.vault })).catch(
        (discardErr: unknown) => {
          outcome = `its staged files could not be removed from vault ${spec.vault}; deleting the backup removes them`;
          status.warnings.push({ code: ErrorCode.Warning, message: `${outcome}: ${causeMessage(discardErr)}` });
        },
      );
    }
    const failure = taskCancelled(status, outcome);
    setPhase('Cancelled');
    return failure;
  };

  try {
    status.step = 'WaitAgent'; // waiting for the cluster agent, up to agentGraceSeconds
    await vault.ensureAgent({ cluster: spec.cluster });
    const { vault: vaultSpec } = await vault.prepareBackup({ backup: spec.name, vault: spec.vault });

    status.step = 'Plan';
    const kind = options.concurrencyKind ?? 'backup';
    const plan = await cluster.planBackup({ spec, ownNamespace: options.ownNamespace, kind });
    status.warnings.push(...plan.warnings);

    status.step = 'BackupResources';
    staged = true;
    const taken = await cluster.backupResources({
      spec,
      plan,
      kind,
      vault: vaultSpec,
      archiveTime: workflowInfo().startTime.toISOString(),
    });
    status.errors.push(...taken.errors);
    status.warnings.push(...taken.warnings);
    status.progress = { totalItems: taken.itemsBackedUp, itemsBackedUp: taken.itemsBackedUp };

    status.step = 'Commit';
    const phase: WorkflowPhase = status.errors.length > 0 ? 'PartiallyFailed' : 'Completed';
    status.completionTimestamp = new Date().toISOString();
    // Committing makes the backup visible; a cancel arriving meanwhile must not run the discard
    // beside it, so the commit finishes and the backup completes.
    await CancellationScope.nonCancellable(() =>
      vault.commitBackup({ vault: vaultSpec, spec, status: { ...status, phase } }),
    );
    status.step = 'Done';
    setPhase(phase);
    return status;
  } catch (err) {
    if (isCancellation(err)) throw await cancelled();
    const failure = taskFailure(status, err);
    if (staged) {
      // The failure stands either way; files left behind are reported, and a later delete removes them.
      await vault.discardBackup({ backup: spec.name, vault: spec.vault }).catch((discardErr: unknown) => {
        const message = causeMessage(discardErr);
        status.warnings.push({
          code: ErrorCode.Warning,
          message: `the failed backup's staged files could not be removed from vault ${spec.vault}: ${message}`,
        });
      });
    }
    setPhase('Failed');
    throw failure;
  }
}

import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/vault/lifecycle.js';
import type { VaultActivities } from '../activities/vault/control.js';
import { ErrorCode } from '../domain/errors.js';
import type { TaskStatus } from '../domain/task.js';
import { controlActivityOptions, removalActivityOptions } from '../temporal/activity-options.js';
import { BackupNameKey, VaultKey } from '../temporal/search-attributes.js';
import type { DeleteInput } from '../temporal/workflow-inputs.js';
import { causeMessage, taskFailure } from './failure.js';
import { phaseSetter, trackTaskStatus } from './task-status.js';

/**
 * DeleteRequest: remove a backup (its vault objects, then the records of the restores made from
 * it), a restore's records, or a backup plan's schedule. Every step is idempotent, so a retried or
 * repeated request finishes what an interrupted one began; an object already gone completes with a
 * warning. Conversions are not built, so a Convert request fails saying so.
 */
export async function DeleteWorkflow({ spec: request, notCommitted }: DeleteInput): Promise<TaskStatus> {
  const control = proxyActivities<LifecycleActivities & Pick<VaultActivities, 'discardBackup'>>(controlActivityOptions);
  const removal = proxyActivities<LifecycleActivities>(removalActivityOptions);
  const name = request.deleteObjectName;

  const status = trackTaskStatus('Locate', { totalItems: 0, itemsDeleted: 0 });
  let vaultName = '';
  const setPhase = phaseSetter(status, 'Delete', () => [
    ...(request.deleteObjectType === 'Backup' ? [{ key: BackupNameKey, value: name }] : []),
    ...(vaultName ? [{ key: VaultKey, value: vaultName }] : []),
  ]);
  const plan = (totalItems: number) => void (status.progress = { totalItems, itemsDeleted: 0 });
  const deleted = () => void (status.progress.itemsDeleted = (status.progress.itemsDeleted ?? 0) + 1);
  const nothingToDelete = (what: string) =>
    status.warnings.push({ code: ErrorCode.BackupNotFound, message: `${what} was not found; nothing to delete` });
  setPhase('InProgress');

  // A failed or cancelled backup: nothing was committed, so only its vault is looked at (an
  // unrelated vault that cannot be read does not matter), for staged files a failed cleanup left.
  const deleteUncommittedBackup = async (vault: string) => {
    vaultName = vault;
    setPhase('InProgress');
    status.step = 'DiscardStagedFiles';
    plan(1);
    await control.discardBackup({ backup: name, vault }).catch((err: unknown) => {
      status.warnings.push({
        code: ErrorCode.Warning,
        message: `staged files of backup ${name} could not be removed from vault ${vault}: ${causeMessage(err)}`,
      });
    });
    deleted();
    status.warnings.push({
      code: ErrorCode.BackupNotFound,
      message: `backup ${name} did not complete, so nothing of it was stored in vault ${vault}; it is no longer listed`,
    });
  };

  const deleteBackup = async () => {
    if (notCommitted) return deleteUncommittedBackup(notCommitted.vault);
    status.step = 'LocateBackup';
    const where = await control.inspectBackup({ backup: name });
    if (!where) return nothingToDelete(`backup ${name}`);
    vaultName = where.vault;
    setPhase('InProgress');

    if (request.cluster && where.cluster && request.cluster !== where.cluster) {
      status.step = 'MarkDeleted';
      plan(1);
      await removal.markBackupDeleted({ backup: name, vault: where.vault, cluster: request.cluster });
      deleted();
      status.warnings.push({
        code: ErrorCode.MarkedDeleted,
        message: `backup ${name} was made by cluster ${where.cluster}: deleting it from cluster ${request.cluster} marks it deleted and keeps its data in vault ${where.vault}`,
      });
      return;
    }

    status.step = 'FindRestores';
    const restores = await control.findRestoresOfBackup({ backup: name });
    plan(1 + restores.length);
    // Volume snapshots would go first; none are taken yet (volume data is not built).
    status.step = 'DeleteBackupData';
    const kept = await removal.deleteBackupData({ backup: name, vault: where.vault });
    deleted();
    if (kept?.retainedUntil) {
      // An immutable vault: its restores' records stay with the data.
      status.warnings.push({
        code: ErrorCode.MarkedDeleted,
        message: `backup ${name} is retained by immutable vault ${where.vault} until ${kept.retainedUntil}: it is marked deleted and no longer listed; the retention GC removes its data once the retention ends`,
      });
      return;
    }
    status.step = 'DeleteRestoreRecords';
    for (const restore of restores) {
      await removal.deleteRestoreRecords({ restore, vault: where.vault });
      deleted();
    }
  };

  const deleteRestore = async () => {
    status.step = 'DeleteRestoreRecords';
    plan(1);
    const vaults = await removal.deleteRestoreRecords({ restore: name });
    if (vaults.length === 0) return void (plan(0), nothingToDelete(`restore ${name}`));
    vaultName = vaults[0] ?? '';
    deleted();
  };

  const deleteSchedule = async () => {
    status.step = 'DeleteSchedule';
    plan(1);
    if (!(await control.deleteBackupPlan({ plan: name })))
      return void (plan(0), nothingToDelete(`backup plan ${name}`));
    deleted();
  };

  try {
    switch (request.deleteObjectType) {
      case 'Backup':
        await deleteBackup();
        break;
      case 'Restore':
        await deleteRestore();
        break;
      case 'Schedule':
        await deleteSchedule();
        break;
      case 'Convert':
        throw ApplicationFailure.nonRetryable(
          'StorageClass conversion is not built yet: there is no conversion to reset',
          ErrorCode.NotBuilt,
        );
    }
    status.step = 'Done';
    status.completionTimestamp = new Date().toISOString();
    setPhase('Completed');
    return status;
  } catch (err) {
    const failure = taskFailure(status, err);
    setPhase('Failed');
    throw failure;
  }
}

import { ApplicationFailure } from '@temporalio/activity';
import type { BackupCreate } from '../../domain/backup.js';
import { ErrorCode, messages } from '../../domain/errors.js';
import { parseGoDuration } from '../../lib/duration.js';
import type { Logger } from '../../lib/logger.js';
import { isRestorable, newBackupMetadata } from '../../vault/backup-metadata.js';
import type { TaskStatus } from '../../domain/task.js';
import { openVault, resolveVault, type VaultRegistry, type VaultAccess } from '../../vault/open.js';
import type { VaultCreate } from '../../domain/vault.js';

export interface VaultDeps extends VaultAccess {
  vaults: VaultRegistry;
  logger: Logger;
}

/** Activities on the control queue that read and write the vault's bookkeeping. */
export function createVaultActivities(deps: VaultDeps) {
  const resolve = (name: string) => resolveVault(deps.vaults, name);
  const store = async (name: string) => openVault(await resolve(name), deps);

  return {
    /** The FAQ's checks before any work: the vault is reachable, and the name is free in it. */
    async prepareBackup(input: { backup: string; vault: string }): Promise<{ vault: VaultCreate }> {
      const vault = await resolve(input.vault);
      const s = openVault(vault, deps);
      const valid = await s.validate();
      if (!valid.ok)
        throw ApplicationFailure.nonRetryable(messages.vaultUnavailable(valid.message), ErrorCode.VaultUnavailable);
      if (await s.backupExists(input.backup)) {
        throw ApplicationFailure.nonRetryable(
          messages.backupAlreadyExists(vault.backend),
          ErrorCode.BackupAlreadyExists,
        );
      }
      return { vault };
    },

    /** Writes velero-backup.json, the commit record: from now on the backup is listed and restorable. */
    async commitBackup(input: { vault: VaultCreate; spec: BackupCreate; status: TaskStatus }): Promise<void> {
      const { spec, status } = input;
      const completion = status.completionTimestamp ?? new Date().toISOString();
      const metadata = newBackupMetadata({
        name: spec.name,
        storageLocation: spec.vault,
        cluster: spec.cluster,
        backupType: spec.backupType,
        spec: {
          includedNamespaces: spec.includedNamespaces,
          excludedNamespaces: spec.excludedNamespaces,
          includedResources: spec.includedResources,
          excludedResources: spec.excludedResources,
          labelSelector: typeof spec.labelSelector === 'string' ? undefined : spec.labelSelector,
          includeClusterResources: spec.includeClusterResources,
          ttl: spec.ttl,
        },
        phase: status.phase === 'PartiallyFailed' ? 'PartiallyFailed' : 'Completed',
        startTimestamp: status.startTimestamp,
        completionTimestamp: completion,
        expiration: new Date(Date.parse(status.startTimestamp) + parseGoDuration(spec.ttl)).toISOString(),
        progress: { totalItems: status.progress.totalItems ?? 0, itemsBackedUp: status.progress.itemsBackedUp ?? 0 },
        errors: status.errors.length,
        warnings: status.warnings.length,
      });
      await openVault(input.vault, deps).commitBackup(spec.name, metadata);
      deps.logger.info({ backup: spec.name, vault: spec.vault, phase: status.phase }, 'backup committed');
    },

    /**
     * Finds the vault holding a completed backup of that name. In-progress and failed backups are
     * never offered for restore (FAQ "no existing backup can be selected"). Only a definite
     * not-found (every vault answered, none holds it) is BackupNotFound; a vault that cannot be
     * read fails the attempt with its own error, which is retried, so a flaky vault delays a
     * restore instead of failing it for good.
     */
    async locateBackup(input: { backup: string; vault?: string }): Promise<{ vault: VaultCreate }> {
      const candidates = input.vault ? [await resolve(input.vault)] : await deps.vaults.list();
      const unreadable: Array<{ vault: string; error: unknown }> = [];
      for (const vault of candidates) {
        let meta;
        try {
          // undefined only when the backup's metadata is definitely absent from this vault
          meta = await openVault(vault, deps).getBackup(input.backup);
        } catch (error) {
          if (error instanceof ApplicationFailure) throw error;
          deps.logger.warn({ vault: vault.name, backup: input.backup, err: error }, 'vault could not be read');
          unreadable.push({ vault: vault.name, error });
          continue;
        }
        if (!meta) continue;
        if (!isRestorable(meta)) {
          throw ApplicationFailure.nonRetryable(
            `backup ${input.backup} in vault ${vault.name} is ${meta.status?.phase ?? 'not completed'} and cannot be restored`,
            ErrorCode.BackupNotRestorable,
          );
        }
        return { vault };
      }
      if (unreadable.length > 0) throw vaultsUnreadable(input.backup, unreadable);
      throw ApplicationFailure.nonRetryable(
        `backup ${input.backup} was not found in ${input.vault ? `vault ${input.vault}` : 'any vault'}`,
        ErrorCode.BackupNotFound,
      );
    },

    /**
     * Removes the files of a backup that failed, and every upload its attempts left staged; a
     * committed backup's files are never touched.
     */
    async discardBackup(input: { backup: string; vault: string }): Promise<void> {
      const s = await store(input.vault);
      await s.discardStaging(input.backup);
      if (await s.isCommitted(input.backup)) return;
      await s.cleanupPartial(input.backup);
    },
  };
}

export type VaultActivities = ReturnType<typeof createVaultActivities>;

/**
 * Not found in the vaults that answered, and some did not: not a definite not-found. A retryable
 * failure (Internal: the catalogue retries it) naming the vaults and the first cause.
 */
export function vaultsUnreadable(
  backup: string,
  unreadable: Array<{ vault: string; error: unknown }>,
): ApplicationFailure {
  const first = unreadable[0]?.error;
  const cause = first instanceof Error ? first.message : String(first);
  return ApplicationFailure.create({
    type: ErrorCode.Internal,
    nonRetryable: false,
    message: `backup ${backup} was not found and vaults ${unreadable.map((u) => u.vault).join(', ')} could not be read: ${cause}`,
    cause: first instanceof Error ? first : undefined,
  });
}

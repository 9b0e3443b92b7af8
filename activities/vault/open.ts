import { isAbsolute, resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { VaultCreate } from '../../api/schemas.js';
import { ErrorCode } from '../../lib/errors.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';

/** A vault as configured or created through the API: its name and its (immutable) backend settings. */
export type VaultDefinition = VaultCreate;

/** Opens a vault's backup store. Relative filesystem paths resolve under `vaultRoot`. */
export function openVault(vault: VaultDefinition, vaultRoot = process.cwd()): BackupStore {
  switch (vault.backend) {
    case 'filesystem': {
      const path = vault.path ?? '';
      return new BackupStore(new FilesystemObjectStore(isAbsolute(path) ? path : resolve(vaultRoot, path)), '');
    }
    default:
      // OSS and S3 come with the vault backends issue; refuse clearly rather than half-work.
      throw ApplicationFailure.nonRetryable(
        `VaultError: backup vault is unavailable: backend ${vault.backend} is not built yet`,
        ErrorCode.VaultUnavailable,
      );
  }
}

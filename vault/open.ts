import { isAbsolute, resolve } from 'node:path';
// Opening a vault's backup store from its definition, and where definitions come from.

import { ErrorCode, messages, TaskError } from '../domain/errors.js';
import type { VaultCreate } from '../domain/vault.js';
import { FilesystemObjectStore } from './filesystem.js';
import { BackupStore } from './store.js';

/** Where vault definitions come from (configuration, and vaults created through the API). */
export interface VaultRegistry {
  get(name: string): Promise<VaultCreate | undefined>;
  list(): Promise<VaultCreate[]>;
}

/** The vault of this name, or a VaultUnavailable failure saying it does not exist. */
export async function resolveVault(vaults: VaultRegistry, name: string): Promise<VaultCreate> {
  const vault = await vaults.get(name);
  if (!vault)
    throw new TaskError(ErrorCode.VaultUnavailable, messages.vaultUnavailable(`vault ${name} does not exist`));
  return vault;
}

/** The directory of a filesystem vault: relative paths resolve under `vaultRoot`. */
export function vaultDirectory(vault: Pick<VaultCreate, 'path'>, vaultRoot = process.cwd()): string {
  const path = vault.path ?? '';
  return isAbsolute(path) ? path : resolve(vaultRoot, path);
}

/** Opens a vault's backup store. Relative filesystem paths resolve under `vaultRoot`. */
export function openVault(vault: VaultCreate, vaultRoot = process.cwd()): BackupStore {
  switch (vault.backend) {
    case 'filesystem':
      return new BackupStore(new FilesystemObjectStore(vaultDirectory(vault, vaultRoot)), '');
    default:
      // OSS and S3 come with the vault backends issue; refuse clearly rather than half-work.
      throw new TaskError(
        ErrorCode.VaultUnavailable,
        messages.vaultUnavailable(`backend ${vault.backend} is not built yet`),
      );
  }
}

// Opening a vault's backup store from its definition, and where definitions come from; what a
// filesystem vault's directory may be (inside its root, not through a symlink leading out, not
// someone else's files).

import { lstat, readdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

import { ErrorCode, messages, TaskError } from '../domain/errors.js';
import type { VaultCreate } from '../domain/vault.js';
import { endpointRefusal } from '../domain/vault-location.js';
import type { ObjectStore } from './backend.js';
import { EncryptedObjectStore, loadKeyRing } from './encryption.js';
import { FilesystemObjectStore } from './filesystem.js';
import { OssObjectStore } from './oss.js';
import { S3ObjectStore } from './s3.js';
import { VELERO_TOP_LEVEL_DIRS } from './layout.js';
import { BackupStore, invalidTopLevelMessage } from './store.js';

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

/** What a process needs besides a vault's spec to open it: from its configuration. */
export interface VaultAccess {
  /** Where relative filesystem paths resolve (config vaultRoot). */
  vaultRoot?: string;
  /** Where encrypted vaults' key rings live (config keysDir). */
  keysDir?: string;
  /** Endpoint hosts allowed although link-local or cloud metadata (config allowedVaultEndpoints). */
  allowedEndpoints?: readonly string[];
}

/** The VaultAccess of a process's configuration. */
export function vaultAccessOf(config: {
  vaultRoot: string;
  keysDir: string;
  allowedVaultEndpoints: readonly string[];
}): VaultAccess {
  return { vaultRoot: config.vaultRoot, keysDir: config.keysDir, allowedEndpoints: config.allowedVaultEndpoints };
}

/**
 * Opens a vault's backup store: its backend, client-side encryption when it has a key ring, and
 * immutability. Credentials of oss and s3 vaults come from the process's environment, credentials
 * files or instance role (the SDKs' default chains), never from the vault spec.
 */
export function openVault(vault: VaultCreate, access: VaultAccess = {}): BackupStore {
  let objects = backendOf(vault, access);
  if (vault.encryption !== undefined) {
    const { keyRef } = vault.encryption;
    const keysDir = access.keysDir ?? resolve('.run/keys');
    objects = new EncryptedObjectStore(objects, () => loadKeyRing(keysDir, keyRef));
  }
  return new BackupStore(objects, vault.prefix ?? '', { retentionDays: vault.immutable?.days });
}

function backendOf(vault: VaultCreate, access: VaultAccess): ObjectStore {
  if (vault.endpoint !== undefined) {
    const refusal = endpointRefusal(vault.endpoint, access.allowedEndpoints);
    if (refusal !== undefined)
      throw new TaskError(ErrorCode.VaultUnavailable, messages.vaultUnavailable(`endpoint ${refusal}`));
  }
  const retention = vault.immutable && { days: vault.immutable.days, mode: vault.immutable.mode ?? 'compliance' };
  switch (vault.backend) {
    case 'filesystem':
      return new FilesystemObjectStore(vaultDirectory(vault, access.vaultRoot));
    case 's3':
      return new S3ObjectStore({
        bucket: vault.bucket!,
        region: vault.region,
        endpoint: vault.endpoint,
        // S3-compatible stores on an endpoint of their own mostly serve path-style only.
        forcePathStyle: vault.pathStyle ?? vault.endpoint !== undefined,
        retention,
        serverSideEncryption: vault.serverSideEncryption,
        allowMetadataEndpoints: true, // checked above, against the configuration's allowance
      });
    case 'oss':
      return new OssObjectStore({
        bucket: vault.bucket!,
        region: vault.region!,
        network: vault.network,
        endpoint: vault.endpoint,
        retention,
        serverSideEncryption: vault.serverSideEncryption,
        allowMetadataEndpoints: true,
      });
  }
}

/** `path` is `root` or inside it (both absolute, compared by whole segments). */
function within(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Why the filesystem vault directory `dir` leads out of its root through a symbolic link, or
 * undefined. The root is the one of `roots` that holds `dir` by name; a directory in none of them
 * is not judged here (the API and the configuration place vaults). The directory need not exist:
 * its nearest existing ancestor is resolved, as creating it would follow the same links.
 */
export async function symlinkEscape(dir: string, roots: readonly string[]): Promise<string | undefined> {
  const path = resolve(dir);
  const root = roots.map((r) => resolve(r)).find((r) => r !== path && within(path, r));
  if (root === undefined) return undefined;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return undefined; // no root yet: nothing below it exists to lead anywhere
  }
  for (let at = path; within(at, root) && at !== root; at = dirname(at)) {
    let isLink: boolean;
    try {
      isLink = (await lstat(at)).isSymbolicLink();
    } catch {
      continue; // not there yet: its parent decides
    }
    const real = await realpath(at).catch(() => undefined);
    if (real === undefined || !within(real, realRoot) || (at === path && real === realRoot)) {
      const target = real === undefined ? 'a target that does not exist' : real;
      return `${dir} leads out of the vault root ${root} through a symbolic link (${isLink ? at : 'a parent of it'} -> ${target})`;
    }
    return undefined; // the nearest existing ancestor resolves inside the root
  }
  return undefined;
}

/** Where FilesystemObjectStore stages uploads (vault/filesystem.ts STAGING_DIR): the vault's own. */
const STAGING_DIR = '.vault-staging';

/**
 * The entries of a filesystem vault directory that are not a vault's (the FAQ's foreign content):
 * anything but Velero's top-level directories and the staging directory, and any symbolic link.
 * Empty when the directory is missing or empty, or already a vault (ours or Velero's).
 */
export async function foreignEntries(dir: string): Promise<Array<{ name: string; directory: boolean }>> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return entries
    .filter((e) => !(e.isDirectory() && (VELERO_TOP_LEVEL_DIRS.includes(e.name) || e.name === STAGING_DIR)))
    .map((e) => ({ name: e.name, directory: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Why a filesystem vault may not claim `dir`, or undefined: it leads out of its root through a
 * symbolic link, or it is a non-empty directory that is not already a vault (its foreign entries
 * named; directories alone in Velero's words, as the vault's validation would say; the rest as
 * `VaultError: backup vault is unavailable: …`).
 */
export async function filesystemVaultRefusal(dir: string, roots: readonly string[]): Promise<string | undefined> {
  const escape = await symlinkEscape(dir, roots);
  if (escape !== undefined) return messages.vaultUnavailable(escape);
  const foreign = await foreignEntries(dir);
  if (foreign.length === 0) return undefined;
  const names = foreign.map((e) => e.name);
  if (foreign.every((e) => e.directory)) return invalidTopLevelMessage(names);
  return messages.vaultUnavailable(
    `${dir} is not empty and is not a backup vault: it holds [${names.join(' ')}]; a vault needs an empty directory or an existing vault's`,
  );
}

// Every object key and archive entry path of a vault, in one place. The layout is Velero's
// object-store format (pkg/persistence/object_store_layout.go, pkg/archive, output-file-format docs),
// so a bucket written here is readable by Velero and the managed backup center, and theirs by us.
// Pure string work, no I/O: workflows import it too.
//
// Deviations and additions (kept small on purpose):
// - `restores/<name>/restore-<name>-items.json.gz` is ours: the outcome of every restored item.
//   Velero ignores files it does not know inside a restore directory.
// - The vault marker lives at `metadata/backup-center-vault.json`, inside Velero's own `metadata/`
//   directory, so a Velero BackupStorageLocation on the same prefix still passes its
//   "invalid top-level directories" check.
// - Velero uploads velero-backup.json before the tarball; we write it last (see store.ts).

import { groupResource, type ResourceRef } from '../resources/types.js';
import { normalizeVaultPrefix } from '../domain/vault-prefixes.js';

/** Velero's archive format version, written to `metadata/version` and `status.formatVersion`. */
export const BACKUP_FORMAT_VERSION = '1.1.0';
export const FORMAT_VERSION_PATH = 'metadata/version';
export const RESOURCES_DIR = 'resources';
export const CLUSTER_SCOPED_DIR = 'cluster';
export const NAMESPACE_SCOPED_DIR = 'namespaces';
/** Suffix of the version directory that holds the source cluster's preferred version. */
export const PREFERRED_VERSION_SUFFIX = '-preferredversion';

/** The top-level directories Velero accepts under a storage location's prefix. */
export const VELERO_TOP_LEVEL_DIRS: readonly string[] = [
  'backups',
  'restores',
  'restic',
  'kopia',
  'metadata',
  'plugins',
];

const BACKUP_METADATA_FILE = 'velero-backup.json';
const VAULT_MARKER_FILE = 'backup-center-vault.json';

/** The files of one backup; `metadata` (velero-backup.json) is the commit record. */
export type BackupFileKind =
  'metadata' | 'contents' | 'resourceList' | 'results' | 'logs' | 'volumeSnapshots' | 'itemOperations' | 'deletedMark';

/** The files of one restore; `items` is this project's addition. */
export type RestoreFileKind = 'results' | 'logs' | 'items';

// Kubernetes object names (DNS-1123 subdomain). Checked before a name becomes part of a key, so a
// name can never add a path segment or climb out of its directory.
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function assertObjectName(what: string, name: string): void {
  if (name.length > 253 || !OBJECT_NAME.test(name)) {
    throw new Error(`invalid ${what} name ${JSON.stringify(name)}: must be a lowercase DNS-1123 subdomain`);
  }
}

export function backupFileName(backup: string, kind: BackupFileKind): string {
  switch (kind) {
    case 'metadata':
      return BACKUP_METADATA_FILE;
    case 'contents':
      return `${backup}.tar.gz`;
    case 'resourceList':
      return `${backup}-resource-list.json.gz`;
    case 'results':
      return `${backup}-results.gz`;
    case 'logs':
      return `${backup}-logs.gz`;
    case 'volumeSnapshots':
      return `${backup}-volumesnapshots.json.gz`;
    case 'itemOperations':
      return `${backup}-itemoperations.json.gz`;
    case 'deletedMark':
      // An immutable vault cannot rewrite velero-backup.json to mark it: the mark is an object of its own.
      return `${backup}-deleted.json`;
  }
}

export function restoreFileName(restore: string, kind: RestoreFileKind): string {
  switch (kind) {
    case 'results':
      return `restore-${restore}-results.gz`;
    case 'logs':
      return `restore-${restore}-logs.gz`;
    case 'items':
      return `restore-${restore}-items.json.gz`;
  }
}

/** Object keys of one vault: a prefix inside a bucket. */
export class VaultLayout {
  /** The normalized prefix, '' for the bucket root. */
  readonly prefix: string;
  /** What every key of the vault starts with: '' or `<prefix>/`. */
  readonly root: string;

  constructor(prefix: string) {
    this.prefix = normalizeVaultPrefix(prefix);
    this.root = this.prefix === '' ? '' : `${this.prefix}/`;
  }

  topLevelDir(dir: string): string {
    return `${this.root}${dir}/`;
  }

  backupsDir(): string {
    return this.topLevelDir('backups');
  }

  restoresDir(): string {
    return this.topLevelDir('restores');
  }

  backupDir(backup: string): string {
    assertObjectName('backup', backup);
    return `${this.backupsDir()}${backup}/`;
  }

  backupKey(backup: string, kind: BackupFileKind): string {
    return this.backupDir(backup) + backupFileName(backup, kind);
  }

  restoreDir(restore: string): string {
    assertObjectName('restore', restore);
    return `${this.restoresDir()}${restore}/`;
  }

  restoreKey(restore: string, kind: RestoreFileKind): string {
    return this.restoreDir(restore) + restoreFileName(restore, kind);
  }

  markerKey(): string {
    return this.topLevelDir('metadata') + VAULT_MARKER_FILE;
  }

  /** The last segment of a common prefix listed under `dir` (`<root>backups/b1/` -> `b1`). */
  childName(dir: string, commonPrefix: string): string | undefined {
    if (!commonPrefix.startsWith(dir)) return undefined;
    const rest = commonPrefix.slice(dir.length).replace(/\/$/, '');
    return rest === '' || rest.includes('/') ? undefined : rest;
  }
}

/** Where one object sits in a backup tarball. */
export interface ArchiveItemPath {
  /** `resource.group`, e.g. `deployments.apps`; the core group has no suffix (`configmaps`). */
  groupResource: string;
  /** The version directory's version; undefined for the unversioned (legacy) path. */
  version: string | undefined;
  /**
   * The object as the source cluster's preferred version. True for `<v>-preferredversion` and for
   * the legacy path, which Velero fills with the preferred version only.
   */
  preferred: boolean;
  /** Undefined for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/**
 * `resources/<resource.group>/[<version>[-preferredversion]/]{cluster|namespaces/<ns>}/<name>.json`.
 * With `version` undefined it is the legacy path that pre-1.1 readers and Velero without
 * EnableAPIGroupVersions read.
 */
export function archiveItemPath(item: ArchiveItemPath): string {
  const parts = [RESOURCES_DIR, pathSegment('resource', item.groupResource)];
  if (item.version !== undefined) {
    parts.push(pathSegment('version', item.version) + (item.preferred ? PREFERRED_VERSION_SUFFIX : ''));
  }
  if (item.namespace === undefined || item.namespace === '') parts.push(CLUSTER_SCOPED_DIR);
  else parts.push(NAMESPACE_SCOPED_DIR, pathSegment('namespace', item.namespace));
  parts.push(objectFileName(item.name));
  return parts.join('/');
}

/**
 * Every path an object fetched at `ref.version` is stored under, in Velero's order
 * (pkg/backup/item_backupper.go): the preferred version goes to the legacy path and to
 * `<v>-preferredversion`; any other served version only to `<v>`.
 */
export function archiveItemPaths(ref: ResourceRef, preferred: boolean): string[] {
  const file = objectFileName(ref.name);
  return archiveItemDirs(ref, preferred).map((dir) => dir + file);
}

/**
 * The directories, each ending in `/`, of archiveItemPaths: the same for every object of one
 * type, version and namespace, so a backup builds them once per run of such objects.
 */
export function archiveItemDirs(ref: Omit<ResourceRef, 'name'>, preferred: boolean): string[] {
  const gr = pathSegment('resource', groupResource(ref.group, ref.resource));
  const scope =
    ref.namespace === undefined || ref.namespace === ''
      ? CLUSTER_SCOPED_DIR
      : `${NAMESPACE_SCOPED_DIR}/${pathSegment('namespace', ref.namespace)}`;
  const version = pathSegment('version', ref.version) + (preferred ? PREFERRED_VERSION_SUFFIX : '');
  const versioned = `${RESOURCES_DIR}/${gr}/${version}/${scope}/`;
  return preferred ? [`${RESOURCES_DIR}/${gr}/${scope}/`, versioned] : [versioned];
}

/** An object's file name in its directory. */
export function objectFileName(name: string): string {
  return pathSegment('object', name) + OBJECT_FILE_SUFFIX;
}

export const OBJECT_FILE_SUFFIX = '.json';

/** The inverse of archiveItemPath; undefined for anything that is not an object entry. */
export function parseArchivePath(path: string): ArchiveItemPath | undefined {
  const segments = path.replace(/^\.\//, '').split('/');
  if (segments.length < 4 || segments[0] !== RESOURCES_DIR) return undefined;
  if (segments.some((s) => !isPathSegment(s))) return undefined;
  const [, gr, ...rest] = segments as [string, string, ...string[]];

  let version: string | undefined;
  let preferred = true;
  // A version directory is never literally `cluster` or `namespaces`, so the scope directory
  // tells the legacy path from a versioned one.
  if (rest[0] !== CLUSTER_SCOPED_DIR && rest[0] !== NAMESPACE_SCOPED_DIR) {
    const dir = rest.shift() as string;
    preferred = dir.endsWith(PREFERRED_VERSION_SUFFIX);
    version = preferred ? dir.slice(0, -PREFERRED_VERSION_SUFFIX.length) : dir;
    if (version === '') return undefined;
  }

  let namespace: string | undefined;
  if (rest[0] === CLUSTER_SCOPED_DIR && rest.length === 2) {
    namespace = undefined;
  } else if (rest[0] === NAMESPACE_SCOPED_DIR && rest.length === 3) {
    namespace = rest[1];
  } else {
    return undefined;
  }
  const file = rest[rest.length - 1] as string;
  if (!file.endsWith('.json') || file === '.json') return undefined;
  const name = file.slice(0, -'.json'.length);
  return namespace === undefined
    ? { groupResource: gr, version, preferred, name }
    : { groupResource: gr, version, preferred, namespace, name };
}

function isPathSegment(s: string): boolean {
  return s !== '' && s !== '.' && s !== '..';
}

// Names come from cluster objects; a `/` or dot segment would write outside the object's directory
// in the tarball and, once extracted by Velero, on disk.
export function pathSegment(what: string, s: string): string {
  if (!isPathSegment(s) || s.includes('/') || s.includes('\0')) {
    throw new Error(`invalid ${what} ${JSON.stringify(s)} for an archive path`);
  }
  return s;
}

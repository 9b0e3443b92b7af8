// Where a vault keeps its objects, as one comparable value: the store (a bucket, or the local file
// system) and the prefix inside it. Two live vaults may not overlap in one store: the outer one
// would see the inner one as foreign top-level content and turn Unavailable (FAQ: "/ and /A, /A and
// /A/B"), and the same place twice would make two vaults share backups. Pure (no I/O, no node:path)
// so the vault registry workflow checks it deterministically.

import type { VaultCreate } from './vault.js';
import { normalizeVaultPrefix, prefixRelation } from './vault-prefixes.js';

export interface VaultLocation {
  /** The bucket the prefix lives in: `filesystem`, `oss:<bucket>`, `s3:<endpoint>/<bucket>`. */
  store: string;
  /** Normalized prefix inside the store ('' for its root); for filesystem vaults the absolute path without its leading `/`. */
  prefix: string;
}

/**
 * The location of a vault. Relative filesystem paths resolve under `vaultRoot`, which must be
 * absolute (the API resolves the configured vaultRoot once).
 */
export function vaultLocation(
  spec: Pick<VaultCreate, 'backend' | 'path' | 'bucket' | 'prefix' | 'endpoint'>,
  vaultRoot: string,
): VaultLocation {
  switch (spec.backend) {
    case 'filesystem': {
      const path = spec.path ?? '';
      const absolute = path.startsWith('/') ? path : `${vaultRoot.replace(/\/+$/, '')}/${path}`;
      return { store: 'filesystem', prefix: normalizeVaultPrefix(absolute) };
    }
    case 'oss':
      // OSS bucket names are unique across regions and endpoints.
      return { store: `oss:${spec.bucket ?? ''}`, prefix: normalizeVaultPrefix(spec.prefix ?? '') };
    case 's3':
      return {
        store: `s3:${(spec.endpoint ?? 'aws').replace(/\/+$/, '')}/${spec.bucket ?? ''}`,
        prefix: normalizeVaultPrefix(spec.prefix ?? ''),
      };
  }
}

/** How a new location overlaps an existing one, or undefined when they are disjoint. */
export function locationOverlap(
  candidate: VaultLocation,
  existing: VaultLocation,
): 'same' | 'parent' | 'child' | undefined {
  if (candidate.store !== existing.store) return undefined;
  const relation = prefixRelation(candidate.prefix, existing.prefix);
  return relation === 'disjoint' ? undefined : relation;
}

/** A readable place for messages: `/data/vaults/a`, `oss:bucket/prefix`. */
export function describeLocation(location: VaultLocation): string {
  if (location.store === 'filesystem') return `/${location.prefix}`;
  return location.prefix === '' ? `${location.store}/` : `${location.store}/${location.prefix}`;
}

/**
 * Why a vault at `candidate` cannot be created next to the live vaults, or undefined. The message
 * names the other vault and says which is inside which.
 */
export function locationConflict(
  candidate: VaultLocation,
  live: ReadonlyArray<{ name: string; location: VaultLocation }>,
): string | undefined {
  for (const other of live) {
    const overlap = locationOverlap(candidate, other.location);
    if (overlap === undefined) continue;
    const where = describeLocation(candidate);
    const theirs = describeLocation(other.location);
    switch (overlap) {
      case 'same':
        return `${where} is already the location of vault ${other.name}`;
      case 'parent':
        return `${where} is a parent directory of ${theirs}, the location of vault ${other.name}; a vault's prefix cannot be the parent or child of another vault's prefix`;
      case 'child':
        return `${where} is inside ${theirs}, the location of vault ${other.name}; a vault's prefix cannot be the parent or child of another vault's prefix`;
    }
  }
  return undefined;
}

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

/**
 * Why a filesystem vault at `absolutePath` is outside every root it may live in, or undefined.
 * A vault lives strictly inside a root (a vault at the root itself would hold every other one).
 * Lexical: symbolic links are the vault module's concern (vault/filesystem.ts symlinkEscape).
 */
export function rootConfinement(absolutePath: string, roots: readonly string[]): string | undefined {
  const prefix = normalizeVaultPrefix(absolutePath);
  if (roots.some((root) => prefixRelation(prefix, normalizeVaultPrefix(root)) === 'child')) return undefined;
  const where = roots.length === 1 ? `the vault root ${roots[0]}` : `the vault roots (${roots.join(', ')})`;
  return `must be a directory inside ${where}; other places must be listed in the configuration's allowedVaultRoots`;
}

/** 169.254.0.0/16: IPv4 link-local, where cloud metadata services answer (169.254.169.254). */
/** 169.254.0.0/16 (link-local, AWS's and most clouds' metadata) and 100.100.100.200 (Alibaba Cloud's). */
function linkLocalV4(octets: readonly number[]): boolean {
  return (octets[0] === 169 && octets[1] === 254) || octets.join('.') === '100.100.100.200';
}

function parseV4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

/**
 * The 8 hextets of an IPv6 address as `new URL().hostname` writes it (brackets removed): the URL
 * parser has already written it canonically, lowercase, without an embedded dotted IPv4 part.
 */
function parseV6(host: string): number[] | undefined {
  const halves = host.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string) => (s === '' ? [] : s.split(':'));
  const head = words(halves[0] ?? '');
  const tail = halves.length === 2 ? words(halves[1] ?? '') : [];
  if (![...head, ...tail].every((w) => /^[0-9a-f]{1,4}$/.test(w))) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 2 ? fill : 0).fill('0'), ...tail].map((w) => parseInt(w, 16));
}

/**
 * Why an s3/oss endpoint may not be used, or undefined: its host is a link-local or cloud metadata
 * address (169.254.0.0/16, fe80::/10, fd00:ec2::/32, and IPv4-mapped forms of the first), where a
 * vault would make the workers send requests to the metadata service. `allowedHosts` (the
 * configuration's allowedVaultEndpoints, hosts as a URL writes them) lifts the refusal.
 */
export function endpointRefusal(endpoint: string, allowedHosts: readonly string[] = []): string | undefined {
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined; // the schema names a URL that does not parse
  }
  if (allowedHosts.map(endpointHost).includes(host)) return undefined;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const v4 = parseV4(bare);
  const v6 = v4 ? undefined : parseV6(bare);
  let refused = false;
  if (v4) refused = linkLocalV4(v4);
  else if (v6) {
    const [w0 = 0, w1 = 0, w2 = 0, w3 = 0, w4 = 0, w5 = 0, w6 = 0] = v6;
    const mapped = w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0xffff;
    refused =
      (w0 & 0xffc0) === 0xfe80 || (w0 === 0xfd00 && w1 === 0x0ec2) || (mapped && linkLocalV4([w6 >> 8, w6 & 0xff]));
  }
  if (!refused) return undefined;
  return `must not be a link-local or cloud metadata address (169.254.0.0/16, 100.100.100.200, fe80::/10, fd00:ec2::/32): ${host}; list the host in the configuration's allowedVaultEndpoints to allow it`;
}

/** The host of an allowedVaultEndpoints entry (a URL or a bare host), as `new URL().hostname` writes it. */
export function endpointHost(entry: string): string {
  try {
    return new URL(entry.includes('://') ? entry : `http://${entry}`).hostname;
  } catch {
    return entry;
  }
}

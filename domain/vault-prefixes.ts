// Vault prefixes inside a bucket. Pure (no I/O) so workflows can check a new vault before creating it.

/**
 * A prefix as the vault layout uses it: no leading or trailing slash, no empty segments;
 * '' is the bucket root. `/`, `//A/` and `A/` are the same places as '', `A`, `A`.
 * Dot segments are refused: object stores treat them literally, so `A/../B` would not be `B`.
 */
export function normalizeVaultPrefix(prefix: string): string {
  const segments = prefix.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (s === '.' || s === '..') throw new Error(`invalid vault prefix ${JSON.stringify(prefix)}: '${s}' segment`);
  }
  return segments.join('/');
}

export type PrefixRelation = 'same' | 'parent' | 'child' | 'disjoint';

/** Where `a` stands relative to `b`, compared by whole segments (`/A` is not a parent of `/AB`). */
export function prefixRelation(a: string, b: string): PrefixRelation {
  const as = splitSegments(normalizeVaultPrefix(a));
  const bs = splitSegments(normalizeVaultPrefix(b));
  const common = Math.min(as.length, bs.length);
  for (let i = 0; i < common; i++) if (as[i] !== bs[i]) return 'disjoint';
  if (as.length === bs.length) return 'same';
  return as.length < bs.length ? 'parent' : 'child';
}

/**
 * Two vaults in one bucket conflict when one prefix is the parent or child of the other (the FAQ:
 * `/` and `/A`, `/A` and `/A/B`): the outer vault would see the inner one as a foreign top-level
 * directory and turn Unavailable. The same prefix twice conflicts too: two vaults would share backups.
 */
export function prefixesConflict(a: string, b: string): boolean {
  return prefixRelation(a, b) !== 'disjoint';
}

function splitSegments(normalized: string): string[] {
  return normalized === '' ? [] : normalized.split('/');
}

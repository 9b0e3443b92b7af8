// Whether an object already in the cluster is the one the restore would create. The server adds
// defaults (clusterIP, terminationMessagePath, …) and bookkeeping, so equality is "every field
// the restore sets has the same value there", ignoring metadata the server owns.

import { SERVER_METADATA_FIELDS } from '../../restore-actions/index.js';

// Owners and finalizers are the target cluster's business once the object exists there.
const IGNORED_METADATA = new Set([...SERVER_METADATA_FIELDS, 'ownerReferences', 'finalizers']);

export function sameAsExisting(
  desired: Record<string, unknown>,
  existing: Record<string, unknown>,
  ignoredLabels: readonly string[] = [],
): boolean {
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'status') continue;
    if (key === 'metadata') {
      const d = value as Record<string, unknown>;
      const e = (existing.metadata ?? {}) as Record<string, unknown>;
      for (const [mk, mv] of Object.entries(d)) {
        if (IGNORED_METADATA.has(mk)) continue;
        if (mk === 'labels' || mk === 'annotations') {
          const want = { ...(mv as Record<string, string>) };
          for (const l of ignoredLabels) delete want[l];
          if (!contains(want, e[mk] ?? {})) return false;
          continue;
        }
        if (!contains(mv, e[mk])) return false;
      }
      continue;
    }
    if (!contains(value, existing[key])) return false;
  }
  return true;
}

/** `want` is contained in `have`: objects recursively by key, arrays element-wise with equal length, scalars equal. */
function contains(want: unknown, have: unknown): boolean {
  if (want === null || typeof want !== 'object') return want === have || (want === undefined && have === undefined);
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => contains(w, have[i]));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  const h = have as Record<string, unknown>;
  return Object.entries(want as Record<string, unknown>).every(([k, v]) => contains(v, h[k]));
}

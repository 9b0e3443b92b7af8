// `metadata/backup-center-vault.json` (VaultLayout.markerKey): the vault's own record of whose
// location this is. Written when a vault is created, stamped with `deletedAt` when it is deleted,
// so the storage itself remembers a deleted vault's name even if the Temporal database that holds
// the vault registry is lost. It sits inside Velero's `metadata/` directory, so a Velero
// BackupStorageLocation on the same prefix still passes its top-level check. Pure.

import { z } from 'zod';

export const VAULT_MARKER_KIND = 'BackupCenterVault';

export const vaultMarkerSchema = z.looseObject({
  kind: z.literal(VAULT_MARKER_KIND),
  /** The vault that owns the location now (or owned it last, when `deletedAt` is set). */
  name: z.string().min(1),
  createdAt: z.string(),
  deletedAt: z.string().optional(),
  /** Vaults that owned the location before and were deleted: their names stay retired. */
  formerVaults: z
    .array(z.object({ name: z.string(), createdAt: z.string(), deletedAt: z.string().optional() }))
    .default([]),
});
export type VaultMarker = z.infer<typeof vaultMarkerSchema>;

export function parseVaultMarker(body: Buffer | string): VaultMarker {
  const json: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  const parsed = vaultMarkerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid vault marker: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function serializeVaultMarker(marker: VaultMarker): Buffer {
  return Buffer.from(`${JSON.stringify(marker, null, 2)}\n`, 'utf8');
}

/** Every vault name this location has carried: the retired ones can never be used again. */
export function retiredNames(marker: VaultMarker): string[] {
  const names = marker.formerVaults.map((v) => v.name);
  if (marker.deletedAt !== undefined) names.push(marker.name);
  return names;
}

export type MarkerDecision =
  { action: 'write'; marker: VaultMarker } | { action: 'keep' } | { action: 'refuse'; message: string };

/**
 * What creating vault `name` at a location with `existing` marker does: claim a fresh location;
 * keep our own marker (a retried creation); take over a location whose vault was deleted (its
 * backups become reachable again under the new name); refuse a location another live vault owns or
 * a name that was retired here.
 */
export function claimLocation(existing: VaultMarker | undefined, name: string, now: string): MarkerDecision {
  if (existing === undefined)
    return { action: 'write', marker: { kind: VAULT_MARKER_KIND, name, createdAt: now, formerVaults: [] } };
  if (retiredNames(existing).includes(name)) {
    return {
      action: 'refuse',
      message: `vault name ${name} belonged to a vault that was deleted; the name of a deleted vault cannot be reused`,
    };
  }
  if (existing.name === name) return { action: 'keep' };
  if (existing.deletedAt === undefined) {
    return { action: 'refuse', message: `the location belongs to vault ${existing.name}` };
  }
  const former = [
    ...existing.formerVaults,
    { name: existing.name, createdAt: existing.createdAt, deletedAt: existing.deletedAt },
  ];
  return { action: 'write', marker: { kind: VAULT_MARKER_KIND, name, createdAt: now, formerVaults: former } };
}

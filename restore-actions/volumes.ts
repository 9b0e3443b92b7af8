// What PVC, PV and StatefulSet actions share: StorageClass mapping, recognising cloud disks, the
// FAQ's 20 GiB minimum, and what becomes of a PV depending on its data and reclaim policy.

import type { KubeObject } from '../resources/types.js';
import { formatBinaryQuantity, parseQuantity, quantityError } from '../resources/quantity.js';
import type { RestoreContext } from './types.js';
import { getObject, getString } from './util.js';

export const DEFAULT_DISK_PROVISIONERS: readonly string[] = ['diskplugin.csi.alibabacloud.com'];
export const DEFAULT_MIN_DISK_SIZE = '20Gi';

export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_STORAGE_PROVISIONER_BETA = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_STORAGE_CLASS_BETA = 'volume.beta.kubernetes.io/storage-class';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** The class a PVC/PV/template names (spec.storageClassName, else the beta annotation). */
export function storageClassOf(obj: {
  metadata?: { annotations?: Record<string, string> };
  spec?: unknown;
}): string | undefined {
  const fromSpec = getString(obj, 'spec', 'storageClassName');
  if (fromSpec !== undefined) return fromSpec;
  return obj.metadata?.annotations?.[ANN_STORAGE_CLASS_BETA];
}

/**
 * Applies storageClassMapping to spec.storageClassName and the beta annotation in place. Returns
 * the new class when it changed, or an error (`storageclass xxx not exists`) when the target
 * cluster's classes are known and the mapped one is not among them.
 */
export function mapStorageClass(
  obj: { metadata?: { annotations?: Record<string, string> }; spec?: unknown },
  ctx: RestoreContext,
): { changed?: { from: string; to: string }; error?: string } {
  const from = storageClassOf(obj);
  const mapping = ctx.storageClassMapping;
  if (from === undefined || !mapping || !Object.prototype.hasOwnProperty.call(mapping, from)) return {};
  const to = mapping[from];
  if (to === undefined || to === from) return {};
  if (ctx.targetStorageClasses && !ctx.targetStorageClasses.includes(to))
    return { error: `storageclass ${to} not exists` };
  const spec = getObject(obj, 'spec');
  if (spec && spec.storageClassName !== undefined) spec.storageClassName = to;
  const ann = obj.metadata?.annotations;
  if (ann && ann[ANN_STORAGE_CLASS_BETA] !== undefined) ann[ANN_STORAGE_CLASS_BETA] = to;
  return { changed: { from, to } };
}

/**
 * The provisioner that will serve the volume: the class's (after mapping) when known, else what
 * the object records (PVC storage-provisioner annotations, PV `csi.driver` / provisioned-by).
 */
export function provisionerOf(
  obj: KubeObject | { metadata?: { annotations?: Record<string, string> }; spec?: unknown },
  ctx: RestoreContext,
  classChanged: boolean,
): string | undefined {
  const cls = storageClassOf(obj);
  const byClass = cls !== undefined ? ctx.storageClassProvisioners?.[cls] : undefined;
  if (byClass) return byClass;
  if (classChanged) return undefined;
  const ann = obj.metadata?.annotations ?? {};
  return (
    ann[ANN_STORAGE_PROVISIONER] ??
    ann[ANN_STORAGE_PROVISIONER_BETA] ??
    getString(obj, 'spec', 'csi', 'driver') ??
    ann[ANN_PROVISIONED_BY]
  );
}

/**
 * The FAQ's "Change 1": a disk volume smaller than the minimum (20 GiB) is raised to it. Changes
 * `holder[field]` (a quantity) in place; returns the warning, or an error for a bad quantity.
 */
export function raiseDiskSize(
  holder: Record<string, unknown> | undefined,
  field: string,
  provisioner: string | undefined,
  ctx: RestoreContext,
  what: string,
): { warning?: string; error?: string } {
  if (!holder || provisioner === undefined) return {};
  const disks = ctx.options?.diskProvisioners ?? DEFAULT_DISK_PROVISIONERS;
  if (!disks.includes(provisioner)) return {};
  const size = holder[field];
  if (typeof size !== 'string' && typeof size !== 'number') return {};
  const sizeStr = String(size);
  const bad = quantityError(sizeStr);
  if (bad) return { error: `${what}: ${bad}` };
  const min = ctx.options?.minDiskSize ?? DEFAULT_MIN_DISK_SIZE;
  const minBytes = parseQuantity(min);
  if (parseQuantity(sizeStr) >= minBytes) return {};
  const minStr = formatBinaryQuantity(minBytes);
  holder[field] = minStr;
  return {
    warning: `${what}: size ${sizeStr} raised to ${minStr}, the minimum size of a disk volume (provisioner ${provisioner})`,
  };
}

/**
 * What the restore does with a PV in the backup:
 *  - `restore-from-data`: its data is in the backup as a snapshot; the PV is created for the new volume;
 *  - `provision-new`: no data (Delete policy), or file-system data to be copied into a fresh volume:
 *    the PV is not created and its PVC is provisioned anew (FAQ: "a new empty disk is mounted");
 *  - `restore-as-is`: no data and a Retain (or Recycle) policy: the PV is created pointing at the
 *    original volume (FAQ: "the new volume can use the original file system", and a disk may be
 *    forcefully detached from the source cluster's node).
 */
export type PvDisposition = 'restore-from-data' | 'provision-new' | 'restore-as-is';

export function pvDisposition(pv: KubeObject, ctx: RestoreContext): PvDisposition {
  const data = ctx.restorePVs === false ? undefined : ctx.volumeData?.[pv.metadata.name];
  if (data === 'snapshot') return 'restore-from-data';
  if (data === 'filesystem') return 'provision-new';
  // The API server defaults a PV's policy to Retain; dynamically provisioned ones carry their class's.
  const policy = getString(pv, 'spec', 'persistentVolumeReclaimPolicy') ?? 'Retain';
  return policy === 'Delete' ? 'provision-new' : 'restore-as-is';
}

/** Why a PV counts as having no data: none in the backup, or restorePVs is false. */
export function noDataReason(pvName: string, ctx: RestoreContext): string {
  return ctx.restorePVs === false && ctx.volumeData?.[pvName] !== undefined
    ? 'its data is not restored (restorePVs: false)'
    : 'no data in the backup';
}

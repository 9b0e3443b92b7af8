// PersistentVolumeClaims:
//  - storageClassMapping (Velero's ChangeStorageClassAction); a class missing from the target
//    cluster fails the item with `storageclass xxx not exists`;
//  - binding: the pv.kubernetes.io/bind-completed and bound-by-controller annotations go (Velero's
//    resetVolumeBindingInfo), and when the bound PV is not restored (no data and reclaim policy
//    Delete, or file-system data restored into a fresh volume) spec.volumeName goes too, so a new
//    volume is provisioned (FAQ "What risks may arise if I do not back up the volumes");
//  - volume.kubernetes.io/selected-node names a node of the source cluster: dropped, the scheduler
//    picks one;
//  - a cloud-disk claim under 20 GiB is raised to 20 GiB (FAQ "default changes", Change 1);
//  - convertToAccessModes replaces the claim's access modes.

import type { ActionResult, RestoreAction } from './types.js';
import { describe, getObject, getString } from './util.js';
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  ANN_STORAGE_PROVISIONER_BETA,
  mapStorageClass,
  noDataReason,
  provisionerOf,
  pvDisposition,
  raiseDiskSize,
  storageClassOf,
} from './volumes.js';

export const pvcAction: RestoreAction = ({ object, ctx }): ActionResult => {
  const warnings: string[] = [];
  const what = describe(object);
  const mapped = mapStorageClass(object, ctx);
  if (mapped.error) return { object, error: `${what}: ${mapped.error}` };
  const annotations = object.metadata.annotations;
  if (mapped.changed && annotations) {
    // The recorded provisioner is the old class's; the PV controller records the new one.
    delete annotations[ANN_STORAGE_PROVISIONER];
    delete annotations[ANN_STORAGE_PROVISIONER_BETA];
  }

  const spec = getObject(object, 'spec');
  if (!spec) return { object, warnings };

  const volumeName = getString(spec, 'volumeName');
  if (volumeName) {
    if (annotations) {
      delete annotations[ANN_BIND_COMPLETED];
      delete annotations[ANN_BOUND_BY_CONTROLLER];
    }
    const pv = ctx.persistentVolumes?.[volumeName];
    if (!pv) {
      warnings.push(
        `${what}: bound to PersistentVolume ${volumeName}, which is not in the backup; the claim stays Pending unless that volume exists in the target cluster`,
      );
    } else if (pvDisposition(pv, ctx) === 'provision-new') {
      delete spec.volumeName;
      if (!(ctx.restorePVs !== false && ctx.volumeData?.[volumeName] === 'filesystem')) {
        warnings.push(
          `${what}: volume ${volumeName}: ${noDataReason(volumeName, ctx)} and reclaim policy Delete; a new, empty volume is provisioned`,
        );
      }
      const cls = storageClassOf(object);
      if (!cls) {
        warnings.push(
          `${what}: no StorageClass (statically provisioned); the claim stays Pending until a PersistentVolume is created for it`,
        );
      } else if (ctx.targetStorageClasses && !ctx.targetStorageClasses.includes(cls)) {
        warnings.push(
          `${what}: storageclass ${cls} not exists in the target cluster; the claim stays Pending until it is created`,
        );
      }
    }
  }
  if (annotations) delete annotations[ANN_SELECTED_NODE];
  if (annotations && Object.keys(annotations).length === 0) delete object.metadata.annotations;

  const modes = ctx.convertToAccessModes;
  const current = Array.isArray(spec.accessModes) ? (spec.accessModes as string[]) : [];
  if (modes && modes.length > 0 && current.join() !== modes.join()) {
    warnings.push(
      `${what}: accessModes ${current.join(',') || 'none'} changed to ${modes.join(',')} (convertToAccessModes)`,
    );
    spec.accessModes = [...modes];
  }

  const raised = raiseDiskSize(
    getObject(spec, 'resources', 'requests'),
    'storage',
    provisionerOf(object, ctx, !!mapped.changed),
    ctx,
    what,
  );
  if (raised.error) return { object, error: raised.error };
  if (raised.warning) warnings.push(raised.warning);
  return { object, warnings };
};

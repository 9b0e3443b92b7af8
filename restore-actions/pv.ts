// PersistentVolumes (Velero's restore of PVs, and the FAQ's "What risks may arise if I do not back
// up the volumes"):
//  - no data in the backup and reclaim policy Delete (or file-system data to copy into a fresh
//    volume): the PV is not created; its PVC is provisioned a new volume;
//  - otherwise the PV is created: claimRef keeps its (mapped) namespace and name but loses uid and
//    resourceVersion so the restored PVC, with its new uid, can bind; the controller's binding
//    annotations go; a disk restored as-is may be forcefully detached from the source cluster;
//  - storageClassMapping and the 20 GiB disk minimum as for PVCs.

import type { ActionResult, RestoreAction } from './types.js';
import { describe, getObject, getString } from './util.js';
import {
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  DEFAULT_DISK_PROVISIONERS,
  mapStorageClass,
  noDataReason,
  provisionerOf,
  pvDisposition,
  raiseDiskSize,
} from './volumes.js';

export const pvAction: RestoreAction = ({ object, ctx }): ActionResult => {
  const what = describe(object);
  const disposition = pvDisposition(object, ctx);
  if (disposition === 'provision-new') {
    const fs = ctx.restorePVs !== false && ctx.volumeData?.[object.metadata.name] === 'filesystem';
    return {
      object,
      skip: true,
      reason: fs
        ? 'its data is restored from the file-system backup into a newly provisioned volume'
        : `${noDataReason(object.metadata.name, ctx)} and reclaim policy Delete: its claim is provisioned a new volume`,
    };
  }

  const warnings: string[] = [];
  const mapped = mapStorageClass(object, ctx);
  if (mapped.error) return { object, error: `${what}: ${mapped.error}` };

  const spec = getObject(object, 'spec');
  const claimRef = getObject(spec, 'claimRef');
  if (claimRef) {
    delete claimRef.uid;
    delete claimRef.resourceVersion;
  }
  const annotations = object.metadata.annotations;
  if (annotations) {
    delete annotations[ANN_BIND_COMPLETED];
    delete annotations[ANN_BOUND_BY_CONTROLLER];
    if (Object.keys(annotations).length === 0) delete object.metadata.annotations;
  }

  const provisioner = provisionerOf(object, ctx, !!mapped.changed);
  const raised = raiseDiskSize(getObject(spec, 'capacity'), 'storage', provisioner, ctx, what);
  if (raised.error) return { object, error: raised.error };
  if (raised.warning) warnings.push(raised.warning);

  const disks = ctx.options?.diskProvisioners ?? DEFAULT_DISK_PROVISIONERS;
  if (disposition === 'restore-as-is' && provisioner !== undefined && disks.includes(provisioner)) {
    const handle = getString(spec, 'csi', 'volumeHandle') ?? object.metadata.name;
    warnings.push(
      `${what}: restored as-is with reclaim policy Retain, pointing at the original disk ${handle}; ` +
        'if the source cluster still uses it, the disk may be forcefully detached there',
    );
  }
  return { object, warnings };
};

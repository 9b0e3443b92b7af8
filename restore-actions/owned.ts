// Objects created by a controller (a ReplicaSet of a Deployment, the Pods of a ReplicaSet or
// StatefulSet, the Jobs of a CronJob) are left to that controller when it is restored too: it
// recreates them, with ownerReferences that point at the new uids. Every other ownerReference is
// dropped, because the owner's uid in the backup does not exist in the target cluster and the
// garbage collector would delete the object at once.

import type { KubeObject } from '../resources/types.js';
import { asSet } from './util.js';

/** Types restored even when their controller is: they carry data the controller would not recreate. */
export const KEPT_WHEN_OWNED: readonly string[] = ['persistentvolumeclaims'];

export type OwnedResult = { skip: true; reason: string } | { skip: false; object: KubeObject; droppedOwners: number };

/**
 * `restoredUids` holds the backup uids of every object this restore takes (created, or recreated
 * by its own controller), so the rule applies down a chain: Deployment -> ReplicaSet -> Pod.
 * Changes `obj` in place when it is kept.
 */
export function checkOwnership(
  obj: KubeObject,
  restoredUids: ReadonlySet<string> | readonly string[],
  groupResource?: string,
): OwnedResult {
  const refs = obj.metadata.ownerReferences ?? [];
  const uids = asSet(restoredUids);
  const controller = refs.find((r) => r.controller === true);
  if (controller && uids.has(controller.uid) && !(groupResource && KEPT_WHEN_OWNED.includes(groupResource))) {
    return { skip: true, reason: `owned by ${controller.kind}/${controller.name}, which is restored and recreates it` };
  }
  if (refs.length > 0) delete obj.metadata.ownerReferences;
  return { skip: false, object: obj, droppedOwners: refs.length };
}

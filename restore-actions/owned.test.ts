import { describe, expect, it } from 'vitest';
import { checkOwnership } from './owned.js';
import { DEPLOY_UID, diskPvc, ownedPod, replicaSet, RS_UID, STS_UID } from './testdata/objects.js';

describe('owned objects', () => {
  it('a ReplicaSet whose Deployment is restored is left to the Deployment', () => {
    expect(checkOwnership(replicaSet(), [DEPLOY_UID, RS_UID])).toEqual({
      skip: true,
      reason: 'owned by Deployment/web, which is restored and recreates it',
    });
  });

  it('down the chain: the Pod of that ReplicaSet too', () => {
    expect(checkOwnership(ownedPod(), new Set([DEPLOY_UID, RS_UID]))).toMatchObject({
      skip: true,
      reason: 'owned by ReplicaSet/web-5d8f9c7b6d, which is restored and recreates it',
    });
  });

  it('when the owner is not restored, the object is and loses the dangling ownerReferences', () => {
    const r = checkOwnership(replicaSet(), [RS_UID]);
    expect(r.skip).toBe(false);
    if (!r.skip) {
      expect(r.object.metadata.ownerReferences).toBeUndefined();
      expect(r.droppedOwners).toBe(1);
    }
  });

  it('non-controller owners never cause a skip', () => {
    const rs = replicaSet();
    rs.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DEPLOY_UID }];
    expect(checkOwnership(rs, [DEPLOY_UID]).skip).toBe(false);
  });

  it('PVCs are restored even when their StatefulSet is: they carry the data', () => {
    const pvc = diskPvc();
    pvc.metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'mysql', uid: STS_UID, controller: true },
    ];
    const r = checkOwnership(pvc, [STS_UID], 'persistentvolumeclaims');
    expect(r.skip).toBe(false);
    expect(pvc.metadata.ownerReferences).toBeUndefined();
  });
});

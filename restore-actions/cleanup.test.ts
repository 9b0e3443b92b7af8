import { describe, expect, it } from 'vitest';
import { cleanup } from './cleanup.js';
import { deployment, diskPvc } from './testdata/objects.js';

describe('cleanup', () => {
  it('strips what the source API server wrote and keeps what the user wrote', () => {
    const d = cleanup(deployment());
    expect(d.metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    });
    expect(d.status).toBeUndefined();
    expect(d.spec).toEqual(deployment().spec);
  });

  it('keeps finalizers and ownerReferences (owned.ts decides about owners)', () => {
    const pvc = diskPvc();
    pvc.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'mysql', uid: 'x' }];
    pvc.metadata.deletionTimestamp = '2024-03-02T00:00:00Z';
    pvc.metadata.deletionGracePeriodSeconds = 0;
    pvc.metadata.selfLink = '/api/v1/namespaces/shop/persistentvolumeclaims/data-mysql-0';
    const out = cleanup(pvc);
    expect(out.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    expect(out.metadata.ownerReferences).toHaveLength(1);
    for (const f of ['uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'])
      expect(out.metadata[f]).toBeUndefined();
  });
});

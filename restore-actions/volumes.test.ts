import { describe, expect, it } from 'vitest';
import { pvAction } from './pv.js';
import { pvcAction } from './pvc.js';
import { statefulSetAction } from './statefulset.js';
import { DISK, diskPv, diskPvc, ossPv, statefulSet } from './testdata/objects.js';
import { run } from './testdata/run.js';
import type { RestoreContext } from './types.js';

type PvcSpec = { volumeName?: string; storageClassName?: string; resources: { requests: { storage: string } } };
type PvSpec = { capacity: { storage: string }; storageClassName?: string; claimRef: Record<string, unknown> };

const withPv = (pv = diskPv('Delete'), extra: RestoreContext = {}): RestoreContext => ({
  persistentVolumes: { [pv.metadata.name]: pv },
  ...extra,
});

describe('PVC restore', () => {
  it('FAQ Change 1: a 10Gi disk claim is raised to 20Gi, with a warning', () => {
    const r = run(pvcAction, diskPvc(), withPv(diskPv('Retain')));
    expect((r.object.spec as PvcSpec).resources.requests.storage).toBe('20Gi');
    expect(r.warnings).toContain(
      `PersistentVolumeClaim shop/data-mysql-0: size 10Gi raised to 20Gi, the minimum size of a disk volume (provisioner ${DISK})`,
    );
  });

  it('leaves non-disk claims and big disks alone; the provisioner list and minimum are configurable', () => {
    const big = diskPvc();
    (big.spec as PvcSpec).resources.requests.storage = '100Gi';
    expect((run(pvcAction, big, withPv()).object.spec as PvcSpec).resources.requests.storage).toBe('100Gi');
    const r = run(pvcAction, diskPvc(), withPv(diskPv(), { options: { diskProvisioners: ['other.csi'] } }));
    expect((r.object.spec as PvcSpec).resources.requests.storage).toBe('10Gi');
    const min40 = run(pvcAction, diskPvc(), withPv(diskPv(), { options: { minDiskSize: '40Gi' } }));
    expect((min40.object.spec as PvcSpec).resources.requests.storage).toBe('40Gi');
  });

  it('no data backup, reclaim policy Delete: the claim loses its volume and binding annotations, a new volume is provisioned', () => {
    const r = run(pvcAction, diskPvc(), withPv(diskPv('Delete')));
    expect((r.object.spec as PvcSpec).volumeName).toBeUndefined();
    expect(r.object.metadata.annotations).toEqual({
      'volume.beta.kubernetes.io/storage-provisioner': DISK,
      'volume.kubernetes.io/storage-provisioner': DISK,
    });
    expect(r.warnings).toContain(
      'PersistentVolumeClaim shop/data-mysql-0: volume d-2ze53mvwvrt4o3xxxxxx: no data in the backup and reclaim policy Delete; a new, empty volume is provisioned',
    );
  });

  it('Retain: the claim keeps its volume name and binds to the restored PV', () => {
    const r = run(pvcAction, diskPvc(), withPv(diskPv('Retain')));
    expect((r.object.spec as PvcSpec).volumeName).toBe('d-2ze53mvwvrt4o3xxxxxx');
    expect(r.object.metadata.annotations?.['pv.kubernetes.io/bind-completed']).toBeUndefined();
    expect(r.object.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBeUndefined();
  });

  it('snapshot data: the claim keeps its volume; restorePVs false treats it as having none', () => {
    const ctx = withPv(diskPv('Delete'), { volumeData: { 'd-2ze53mvwvrt4o3xxxxxx': 'snapshot' } });
    expect((run(pvcAction, diskPvc(), ctx).object.spec as PvcSpec).volumeName).toBe('d-2ze53mvwvrt4o3xxxxxx');
    expect(
      (run(pvcAction, diskPvc(), { ...ctx, restorePVs: false }).object.spec as PvcSpec).volumeName,
    ).toBeUndefined();
  });

  it('storageClassMapping, and a missing target class fails the item with the FAQ message', () => {
    const ctx = withPv(diskPv(), {
      storageClassMapping: { 'alicloud-disk-essd': 'alicloud-disk-topology-alltype' },
      storageClassProvisioners: { 'alicloud-disk-topology-alltype': DISK },
    });
    const r = run(pvcAction, diskPvc(), ctx);
    expect((r.object.spec as PvcSpec).storageClassName).toBe('alicloud-disk-topology-alltype');
    expect(r.object.metadata.annotations?.['volume.kubernetes.io/storage-provisioner']).toBeUndefined();
    expect((r.object.spec as PvcSpec).resources.requests.storage).toBe('20Gi');
    const missing = run(pvcAction, diskPvc(), { ...ctx, targetStorageClasses: ['alicloud-disk-essd'] });
    expect(missing.error).toBe(
      'PersistentVolumeClaim shop/data-mysql-0: storageclass alicloud-disk-topology-alltype not exists',
    );
  });

  it('mapping a disk class to a NAS class: no disk minimum', () => {
    const r = run(
      pvcAction,
      diskPvc(),
      withPv(diskPv(), {
        storageClassMapping: { 'alicloud-disk-essd': 'alibabacloud-cnfs-nas' },
        storageClassProvisioners: { 'alibabacloud-cnfs-nas': 'nasplugin.csi.alibabacloud.com' },
      }),
    );
    expect((r.object.spec as PvcSpec).resources.requests.storage).toBe('10Gi');
  });

  it('warns when the bound PV is not in the backup', () => {
    expect(run(pvcAction, diskPvc(), {}).warnings?.[0]).toMatch(
      /bound to PersistentVolume d-2ze53mvwvrt4o3xxxxxx, which is not in the backup/,
    );
  });
});

describe('PV restore', () => {
  it('no data, reclaim policy Delete: the PV is skipped with the reason', () => {
    expect(run(pvAction, diskPv('Delete'))).toMatchObject({
      skip: true,
      reason: 'no data in the backup and reclaim policy Delete: its claim is provisioned a new volume',
    });
  });

  it('Retain: restored with claimRef uid/resourceVersion removed, raised to 20Gi, and a forced-detach warning for disks', () => {
    const r = run(pvAction, diskPv('Retain'));
    expect(r.skip).toBeUndefined();
    const spec = r.object.spec as PvSpec;
    expect(spec.claimRef).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      name: 'data-mysql-0',
      namespace: 'shop',
    });
    expect(spec.capacity.storage).toBe('20Gi');
    expect(r.warnings).toEqual([
      expect.stringContaining('size 10Gi raised to 20Gi'),
      expect.stringContaining('may be forcefully detached'),
    ]);
  });

  it('Retain OSS volume: restored as-is, binding annotation dropped, no disk rules', () => {
    const r = run(pvAction, ossPv());
    expect(r.warnings).toEqual([]);
    expect(r.object.metadata.annotations).toBeUndefined();
    expect((r.object.spec as PvSpec).capacity.storage).toBe('5Gi');
    expect((r.object.spec as PvSpec).claimRef.uid).toBeUndefined();
  });

  it('a PV with snapshot data is restored whatever its policy; file-system data gets a fresh volume', () => {
    const pv = diskPv('Delete');
    expect(run(pvAction, pv, { volumeData: { [pv.metadata.name]: 'snapshot' } }).skip).toBeUndefined();
    expect(run(pvAction, diskPv('Retain'), { volumeData: { [pv.metadata.name]: 'filesystem' } })).toMatchObject({
      skip: true,
      reason: expect.stringContaining('file-system backup'),
    });
  });
});

describe('StatefulSet volumeClaimTemplates', () => {
  it('get the class mapping and the disk minimum', () => {
    const r = run(statefulSetAction, statefulSet(), {
      storageClassMapping: { 'alicloud-disk-essd': 'alicloud-disk-topology-alltype' },
      storageClassProvisioners: { 'alicloud-disk-topology-alltype': DISK },
    });
    const tpl = (r.object.spec as { volumeClaimTemplates: Array<{ spec: PvcSpec }> }).volumeClaimTemplates[0];
    expect(tpl?.spec.storageClassName).toBe('alicloud-disk-topology-alltype');
    expect(tpl?.spec.resources.requests.storage).toBe('20Gi');
    expect(r.warnings).toEqual([
      expect.stringContaining('StatefulSet shop/mysql volumeClaimTemplate data: size 10Gi raised to 20Gi'),
    ]);
  });

  it('without knowing the class provisioner, leaves the size', () => {
    const r = run(statefulSetAction, statefulSet());
    expect(
      (r.object.spec as { volumeClaimTemplates: Array<{ spec: PvcSpec }> }).volumeClaimTemplates[0]?.spec.resources
        .requests.storage,
    ).toBe('10Gi');
  });
});

describe('convertToAccessModes', () => {
  it('replaces the access modes of a restored claim and says so', async () => {
    const { pvcAction } = await import('./pvc.js');
    const object = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'shared', namespace: 'app' },
      spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '50Gi' } } },
    };
    const out = pvcAction({
      object: structuredClone(object),
      original: object,
      groupResource: 'persistentvolumeclaims',
      ctx: { convertToAccessModes: ['ReadWriteOnce'] },
    });
    expect((out.object.spec as { accessModes: string[] }).accessModes).toEqual(['ReadWriteOnce']);
    expect(out.warnings?.join()).toMatch(/ReadWriteMany changed to ReadWriteOnce/);
    const same = pvcAction({
      object: structuredClone(object),
      original: object,
      groupResource: 'persistentvolumeclaims',
      ctx: {},
    });
    expect((same.object.spec as { accessModes: string[] }).accessModes).toEqual(['ReadWriteMany']);
  });
});

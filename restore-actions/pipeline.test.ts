import { describe, expect, it } from 'vitest';
import { builtInGroupResource, prepareForRestore } from './pipeline.js';
import { parseResourceModifiers } from './resource-modifiers.js';
import {
  barePod,
  DEPLOY_UID,
  deployment,
  diskPv,
  diskPvc,
  job,
  JOB_UID,
  ownedPod,
  replicaSet,
  roleBinding,
  RS_UID,
  service,
  STS_UID,
  statefulSet,
} from './testdata/objects.js';
import type { RestoreContext } from './types.js';
import type { KubeObject } from '../resources/types.js';

const modifiers = parseResourceModifiers({
  version: 'v1',
  resourceModifierRules: [
    {
      conditions: { groupResource: 'deployments.apps', namespaces: ['shop-dr'] },
      patches: [{ operation: 'replace', path: '/spec/replicas', value: '1' }],
    },
  ],
});
if (!modifiers.ok) throw new Error('bad fixture');

/** A restore of namespace shop into shop-dr on another cluster, with the FAQ's image change. */
const ctx = (extra: Partial<RestoreContext> = {}): RestoreContext => ({
  namespaceMapping: { shop: 'shop-dr' },
  imageRegistryMapping: { 'docker.io/library/': 'registry.cn-beijing.aliyuncs.com/my-registry/' },
  imageMapping: { case1: 'app1:v1,app2:v2' },
  restoredUids: [DEPLOY_UID, RS_UID, STS_UID],
  persistentVolumes: { 'd-2ze53mvwvrt4o3xxxxxx': diskPv('Delete') },
  resourceModifiers: modifiers.value,
  options: { restoreLabels: { 'backup-center.io/restore-name': 'dr-1' } },
  ...extra,
});

describe('prepareForRestore', () => {
  it('a Deployment: cleaned, moved, images changed, modifier applied, labelled; the input untouched', () => {
    const input = deployment();
    const r = prepareForRestore(input, ctx());
    expect(r.skip).toBeUndefined();
    expect(r.error).toBeUndefined();
    expect(r.object.metadata).toEqual({
      name: 'web',
      namespace: 'shop-dr',
      labels: { app: 'web', 'backup-center.io/restore-name': 'dr-1' },
      annotations: { 'deployment.kubernetes.io/revision': '3' },
    });
    expect(r.object.status).toBeUndefined();
    expect((r.object.spec as { replicas: number }).replicas).toBe(1);
    expect(r.modifiersApplied).toBe(1);
    expect(r.changedImages.map((c) => `${c.from} -> ${c.to}`)).toEqual([
      'app1:v1 -> registry.cn-beijing.aliyuncs.com/my-registry/app2:v2',
      'docker.io/library/nginx -> registry.cn-beijing.aliyuncs.com/my-registry/nginx',
      'busybox:1.36 -> registry.cn-beijing.aliyuncs.com/my-registry/busybox:1.36',
    ]);
    expect(input).toEqual(deployment());
  });

  it('the ReplicaSet and Pods of a restored Deployment are left to it', () => {
    expect(prepareForRestore(replicaSet(), ctx())).toMatchObject({
      skip: true,
      reason: 'owned by Deployment/web, which is restored and recreates it',
    });
    expect(prepareForRestore(ownedPod(), ctx())).toMatchObject({
      skip: true,
      reason: 'owned by ReplicaSet/web-5d8f9c7b6d, which is restored and recreates it',
    });
  });

  it('a bare Pod loses node, priority and token volume', () => {
    const r = prepareForRestore(barePod(), ctx());
    const spec = r.object.spec as Record<string, unknown>;
    expect(r.object.metadata.namespace).toBe('shop-dr');
    expect(spec.nodeName).toBeUndefined();
    expect(spec.priority).toBeUndefined();
    expect(JSON.stringify(spec)).not.toContain('kube-api-access');
  });

  it('Services of each type', () => {
    const lb = prepareForRestore(service('LoadBalancer'), ctx());
    expect(lb.object.spec).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ nodePort: 31080 }],
    });
    expect((lb.object.spec as Record<string, unknown>).healthCheckNodePort).toBeUndefined();
    expect(lb.object.status).toBeUndefined();
    expect(lb.warnings).toHaveLength(1);
    expect((prepareForRestore(service('Headless'), ctx()).object.spec as { clusterIP: string }).clusterIP).toBe('None');
    expect(
      (prepareForRestore(service('ClusterIP'), ctx()).object.spec as { clusterIP?: string }).clusterIP,
    ).toBeUndefined();
  });

  it('a running Job: selector regenerated, image changed', () => {
    const r = prepareForRestore(job(), ctx());
    expect(JSON.stringify(r.object.spec)).not.toContain(JOB_UID);
    expect(r.changedImages).toHaveLength(1);
  });

  it('StatefulSet with a 10Gi disk claim on a Delete PV without data backup', () => {
    const c = ctx({ storageClassProvisioners: { 'alicloud-disk-essd': 'diskplugin.csi.alibabacloud.com' } });
    const sts = prepareForRestore(statefulSet(), c);
    expect(sts.warnings).toEqual([expect.stringContaining('raised to 20Gi')]);

    const pv = prepareForRestore(diskPv('Delete'), c);
    expect(pv).toMatchObject({ skip: true, reason: expect.stringContaining('reclaim policy Delete') });

    const pvc = prepareForRestore(diskPvc(), c);
    expect(pvc.object.metadata.namespace).toBe('shop-dr');
    expect(pvc.object.spec).toMatchObject({
      resources: { requests: { storage: '20Gi' } },
      storageClassName: 'alicloud-disk-essd',
    });
    expect((pvc.object.spec as Record<string, unknown>).volumeName).toBeUndefined();
    expect(pvc.warnings).toHaveLength(2);
  });

  it('a Retain PV: claimRef follows the namespace mapping', () => {
    const r = prepareForRestore(diskPv('Retain'), ctx({ persistentVolumes: {} }));
    expect((r.object.spec as { claimRef: unknown }).claimRef).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      name: 'data-mysql-0',
      namespace: 'shop-dr',
    });
  });

  it('a RoleBinding follows the namespace mapping, subjects included', () => {
    const r = prepareForRestore(roleBinding(), ctx());
    expect(r.object.metadata.namespace).toBe('shop-dr');
    expect((r.object.subjects as Array<{ namespace?: string }>).map((s) => s.namespace)).toEqual([
      'shop-dr',
      'monitoring',
      undefined,
    ]);
  });

  it('never-restored types and own objects are skipped; an unknown kind needs its group-resource', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    expect(prepareForRestore(node, ctx())).toMatchObject({ skip: true, reason: 'nodes are never restored' });
    const own = deployment();
    own.metadata.labels = { 'app.kubernetes.io/part-of': 'backup-center' };
    expect(prepareForRestore(own, ctx()).skip).toBe(true);
    const widget: KubeObject = {
      apiVersion: 'example.io/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop', uid: 'w1' },
    };
    expect(prepareForRestore(widget, ctx()).error).toMatch(/unknown resource type of example.io\/v1 Widget/);
    expect(prepareForRestore(widget, ctx(), 'widgets.example.io').object.metadata).toEqual({
      name: 'w',
      namespace: 'shop-dr',
      labels: { 'backup-center.io/restore-name': 'dr-1' },
    });
  });

  it('a mapping to a missing StorageClass fails the item', () => {
    const r = prepareForRestore(
      diskPvc(),
      ctx({ storageClassMapping: { 'alicloud-disk-essd': 'gone' }, targetStorageClasses: ['alicloud-disk-essd'] }),
    );
    expect(r.error).toBe('PersistentVolumeClaim shop-dr/data-mysql-0: storageclass gone not exists');
  });

  it('names built-in group-resources', () => {
    expect(builtInGroupResource(deployment())).toBe('deployments.apps');
    expect(builtInGroupResource(diskPvc())).toBe('persistentvolumeclaims');
  });
});

import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { RestoreCreate } from '../../domain/restore.js';
import type { KubeClient } from '../../activities/kube/client.js';
import type { KubeObject } from '../../resources/types.js';
import type { BackupStore } from '../../vault/store.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { RestoreWorkflow } from '../../workflows/restore.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { crd, shopApp, sourceStorageClass, targetDiskStorageClass, widgetCrd } from '../fixtures/app.js';
import { applyAll } from './kube-apply.js';
import { testVault, kube, recordHistory, uniqueName, startTestSystem, type TestSystem } from './harness.js';
import type { VaultCreate } from '../../domain/vault.js';

const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 10, resourceReadyTimeoutMinutes: 1 };

// What a user compares after a restore: the object minus what the server sets and the restore's labels.
function normalize(o: KubeObject): unknown {
  const { metadata, status: _s, ...rest } = o as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
  const labels = { ...(metadata.labels ?? {}) };
  delete labels['velero.io/restore-name'];
  delete labels['velero.io/backup-name'];
  const spec = rest.spec ? { ...(rest.spec as Record<string, unknown>) } : undefined;
  if (spec) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.healthCheckNodePort;
  }
  const annotations = { ...(metadata.annotations ?? {}) };
  delete annotations['deployment.kubernetes.io/revision'];
  return { ...rest, ...(spec ? { spec } : {}), metadata: { name: metadata.name, labels, annotations } };
}

type Svc = { spec: { ports: Array<{ nodePort?: number }>; healthCheckNodePort?: number } };
const svcPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/services/${name}`;

async function list(k: KubeClient, path: string): Promise<KubeObject[]> {
  return (await k.get<{ items: KubeObject[] }>(path)).items;
}

const TYPES = [
  '/apis/apps/v1/namespaces/NS/deployments',
  '/apis/apps/v1/namespaces/NS/statefulsets',
  '/api/v1/namespaces/NS/services',
  '/api/v1/namespaces/NS/secrets',
  '/api/v1/namespaces/NS/serviceaccounts',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/roles',
  '/apis/rbac.authorization.k8s.io/v1/namespaces/NS/rolebindings',
  '/apis/networking.k8s.io/v1/namespaces/NS/ingresses',
  '/apis/example.com/v1/namespaces/NS/widgets',
];

describe('RestoreWorkflow: round trips between two real control planes', () => {
  let client: Client;
  let system: TestSystem;
  let vault: VaultCreate;
  let store: BackupStore;
  let a: KubeClient;
  let b: KubeClient;
  const ns = uniqueName('shop');
  const backupName = uniqueName('bk');

  const restore = async (overrides: Partial<RestoreCreate>, history?: string) => {
    const spec: RestoreCreate = { name: uniqueName('rs'), backupName, cluster: 'b', ...overrides } as RestoreCreate;
    const handle: WorkflowHandle = await client.workflow.start(RestoreWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `restore/${spec.name}`,
      args: [{ spec, options }],
    });
    const result = (await handle.result()) as Awaited<ReturnType<typeof RestoreWorkflow>>;
    if (history) await recordHistory(handle, history);
    const items = (await store.getRestoreItems(spec.name)) ?? [];
    return { result, items, spec };
  };

  beforeAll(async () => {
    ({ vault, store } = testVault());
    a = await kube('a');
    b = await kube('b');
    await applyAll(a, [
      widgetCrd,
      crd('gadgets', 'Gadget', ['v1', 'v1beta1']),
      crd('gizmos', 'Gizmo', ['v2']),
      sourceStorageClass,
      ...shopApp(ns),
    ]);
    await applyAll(a, [
      {
        apiVersion: 'example.com/v1',
        kind: 'Gadget',
        metadata: { name: 'g1', namespace: ns, labels: { app: 'shop' } },
        spec: { n: 1 },
      },
      {
        apiVersion: 'example.com/v2',
        kind: 'Gizmo',
        metadata: { name: 'z1', namespace: ns, labels: { app: 'shop' } },
        spec: { n: 2 },
      },
    ]);
    // Cluster b serves gadgets only as v1beta1 and gizmos only as v1: one restorable, one not.
    await applyAll(b, [crd('gadgets', 'Gadget', ['v1beta1']), crd('gizmos', 'Gizmo', ['v1']), targetDiskStorageClass]);
    // Let the controller manager create the ReplicaSet and Pods of the Deployment, so the backup holds owned objects.
    for (let i = 0; i < 100; i++) {
      const pods = await list(a, `/api/v1/namespaces/${ns}/pods`);
      if (pods.filter((p) => p.metadata.labels?.app === 'shop').length >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    system = await startTestSystem({
      clusters: ['a', 'b'],
      vaults: [vault],
    });
    ({ client } = system);
    const spec: BackupCreate = {
      name: backupName,
      cluster: 'a',
      vault: vault.name,
      backupType: 'AppBackup',
      ttl: '720h0m0s',
      includedNamespaces: [ns],
    };
    const backup = await client.workflow.execute(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${backupName}`,
      args: [{ spec, options }],
    });
    expect(backup.phase).toBe('Completed');
  }, 300_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('restores into the other cluster: objects equal after normalization, owned objects recreated by their controllers, not duplicated', async () => {
    const { result, items } = await restore(
      { storageClassMapping: { 'standard-a': 'disk-b' }, includedNamespaces: [ns] },
      'restore-cross-cluster',
    );
    // gizmos: backed up as v2 only, cluster b serves v1 only.
    expect(result.phase).toBe('PartiallyFailed');
    const failed = items.filter((i) => i.outcome === 'failed');
    expect(failed.map((i) => `${i.resource}/${i.name}`)).toEqual(['gizmos/z1']);
    expect(failed[0]!.reason).toMatch(/example.com\/v2/);
    expect(failed[0]!.reason).toMatch(/example.com\/v1/);

    for (const t of TYPES) {
      const [src, dst] = await Promise.all([list(a, t.replace('NS', ns)), list(b, t.replace('NS', ns))]);
      const names = (xs: KubeObject[]) =>
        xs
          .map((x) => x.metadata.name)
          .filter((n) => !n.startsWith('default'))
          .sort();
      expect(names(dst), t).toEqual(names(src));
      for (const s of src) {
        const d = dst.find((x) => x.metadata.name === s.metadata.name)!;
        expect(normalize(d), `${t} ${s.metadata.name}`).toEqual(normalize(s));
      }
    }
    // The Gadget went in as v1beta1, the version cluster b serves.
    const gadget = await b.get<KubeObject>(`/apis/example.com/v1beta1/namespaces/${ns}/gadgets/g1`);
    expect((gadget as { spec?: unknown }).spec).toEqual({ n: 1 });

    // ReplicaSets and Pods of the Deployment were skipped and recreated by cluster b's controllers: no duplicates.
    const skipped = items.filter(
      (i) => i.outcome === 'skipped' && (i.resource === 'replicasets' || i.resource === 'pods'),
    );
    expect(skipped.length).toBeGreaterThanOrEqual(3);
    expect(skipped.every((i) => /owned by/.test(i.reason ?? ''))).toBe(true);
    let rs: KubeObject[] = [];
    let pods: KubeObject[] = [];
    for (let i = 0; i < 100; i++) {
      rs = (await list(b, `/apis/apps/v1/namespaces/${ns}/replicasets`)).filter(
        (x) => x.metadata.labels?.app === 'shop',
      );
      pods = (await list(b, `/api/v1/namespaces/${ns}/pods`)).filter((x) => x.metadata.labels?.app === 'shop');
      if (rs.length === 1 && pods.length === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const web = await b.get<KubeObject>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
    expect(rs).toHaveLength(1);
    expect(rs[0]!.metadata.ownerReferences?.[0]?.uid).toBe(web.metadata.uid);
    expect(pods).toHaveLength(2);

    // Storage class mapped, and the FAQ's 20 GiB minimum for cloud disks, with a warning.
    const pvc = await b.get<{ spec: { storageClassName: string; resources: { requests: { storage: string } } } }>(
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/uploads`,
    );
    expect(pvc.spec.storageClassName).toBe('disk-b');
    expect(pvc.spec.resources.requests.storage).toBe('20Gi');
    expect(result.warnings.some((w) => /uploads/.test(w.item ?? '') && /20Gi/.test(w.message))).toBe(true);

    // NodePort kept (FAQ default), healthCheckNodePort of the Local LoadBalancer reassigned.
    const [srcNp, dstNp] = await Promise.all([
      a.get<{ spec: { ports: Array<{ nodePort: number }> } }>(`/api/v1/namespaces/${ns}/services/web-nodeport`),
      b.get<{ spec: { ports: Array<{ nodePort: number }> } }>(`/api/v1/namespaces/${ns}/services/web-nodeport`),
    ]);
    expect(dstNp.spec.ports[0]!.nodePort).toBe(srcNp.spec.ports[0]!.nodePort);
    const [srcLb, dstLb] = await Promise.all([a.get<Svc>(svcPath(ns, 'web-lb')), b.get<Svc>(svcPath(ns, 'web-lb'))]);
    expect(dstLb.spec.ports[0]!.nodePort).toBe(srcLb.spec.ports[0]!.nodePort);
    expect(dstLb.spec.healthCheckNodePort).toEqual(expect.any(Number));
    expect(dstLb.spec.healthCheckNodePort).not.toBe(srcLb.spec.healthCheckNodePort);
    expect(result.warnings.filter((w) => /node port/.test(w.message))).toEqual([]);
  });

  it('maps namespaces, images and registries', async () => {
    const target = `${ns}-copy`;
    const { result, items } = await restore(
      {
        namespaceMapping: { [ns]: target },
        imageRegistryMapping: { 'docker.io/library/': 'registry.example.com/my/' },
        imageMapping: { case1: 'postgres:16,postgres:17' },
        storageClassMapping: { 'standard-a': 'disk-b' },
        convertToAccessModes: ['ReadWriteMany'],
        resourceModifiers: {
          version: 'v1',
          resourceModifierRules: [
            {
              conditions: { groupResource: 'deployments.apps', resourceNameRegex: '^web$' },
              patches: [{ operation: 'replace', path: '/spec/replicas', value: '1' }],
            },
          ],
        },
        // The first test restored this app's NodePort Services into b already: the copy's node ports are reassigned, with a warning.
        excludedResources: ['gizmos.example.com'],
      },
      'restore-mappings',
    );
    expect(result.phase, JSON.stringify(result.errors)).toBe('Completed');
    expect(items.filter((i) => i.resource === 'deployments')[0]?.namespace).toBe(target);
    const web = await b.get<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      `/apis/apps/v1/namespaces/${target}/deployments/web`,
    );
    expect(web.spec.template.spec.containers[0]!.image).toBe('registry.example.com/my/nginx:1.27');
    expect((web.spec as { replicas?: number }).replicas).toBe(1); // the resource modifier
    const pvc = await b.get<{ spec: { accessModes: string[] } }>(
      `/api/v1/namespaces/${target}/persistentvolumeclaims/uploads`,
    );
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    const db = await b.get<{ spec: { template: { spec: { containers: Array<{ image: string }> } } } }>(
      `/apis/apps/v1/namespaces/${target}/statefulsets/db`,
    );
    // The case changes the tag, then the registry mapping applies to the docker.io/library image too.
    expect(db.spec.template.spec.containers[0]!.image).toBe('registry.example.com/my/postgres:17');
    const rb = await b.get<{ subjects: Array<{ namespace: string }> }>(
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${target}/rolebindings/shop-reader`,
    );
    expect(rb.subjects[0]!.namespace).toBe(target);
    expect(
      result.warnings.some((w) => w.item === `services ${target}/web-nodeport` && /node port/.test(w.message)),
    ).toBe(true);
  });

  it('a copy into the same cluster (the README example): Completed, taken node ports reassigned with a warning naming them, a new healthCheckNodePort', async () => {
    const target = `${ns}-same`;
    const { result, items } = await restore({
      cluster: 'a',
      namespaceMapping: { [ns]: target },
      includedResources: ['services'],
    });
    expect(result.phase, JSON.stringify(result.errors)).toBe('Completed');
    expect(
      items
        .filter((i) => i.resource === 'services')
        .map((i) => `${i.name} ${i.outcome}`)
        .sort(),
    ).toEqual(['db', 'web', 'web-lb', 'web-nodeport'].map((n) => `${n} created`));
    const [src, copy] = await Promise.all([
      a.get<Svc>(svcPath(ns, 'web-nodeport')),
      a.get<Svc>(svcPath(target, 'web-nodeport')),
    ]);
    const port = src.spec.ports[0]!.nodePort;
    expect(copy.spec.ports[0]!.nodePort).toEqual(expect.any(Number));
    expect(copy.spec.ports[0]!.nodePort).not.toBe(port);
    const warning = result.warnings.find((w) => w.item === `services ${target}/web-nodeport`);
    expect(warning?.message).toContain(`node port ${port} -> ${copy.spec.ports[0]!.nodePort}`);

    // The LoadBalancer's node port is taken too; its Local health check port is new (FAQ).
    const [srcLb, copyLb] = await Promise.all([
      a.get<Svc>(svcPath(ns, 'web-lb')),
      a.get<Svc>(svcPath(target, 'web-lb')),
    ]);
    expect(copyLb.spec.ports[0]!.nodePort).not.toBe(srcLb.spec.ports[0]!.nodePort);
    expect(result.warnings.find((w) => w.item === `services ${target}/web-lb`)?.message).toContain(
      `node port ${srcLb.spec.ports[0]!.nodePort} -> ${copyLb.spec.ports[0]!.nodePort}`,
    );
    expect(copyLb.spec.healthCheckNodePort).toEqual(expect.any(Number));
    expect(copyLb.spec.healthCheckNodePort).not.toBe(srcLb.spec.healthCheckNodePort);
  });

  it('preserveNodePorts: true into the same cluster: a taken node port is an item error naming it', async () => {
    const target = `${ns}-keep`;
    const { result, items } = await restore({
      cluster: 'a',
      namespaceMapping: { [ns]: target },
      includedResources: ['services'],
      preserveNodePorts: true,
    });
    expect(result.phase).toBe('PartiallyFailed');
    const port = (await a.get<Svc>(svcPath(ns, 'web-nodeport'))).spec.ports[0]!.nodePort;
    const item = items.find((i) => i.name === 'web-nodeport')!;
    expect(item.outcome).toBe('failed');
    expect(item.reason).toBe(
      `node port ${port} already allocated in the target cluster; not restored because preserveNodePorts is true`,
    );
    expect(
      result.errors.some((e) => e.item === `services ${target}/web-nodeport` && e.message.includes(String(port))),
    ).toBe(true);
    await expect(a.get(svcPath(target, 'web-nodeport'))).rejects.toMatchObject({ status: 404 });
  });

  it('over the Services themselves (same cluster, same namespace): identical ones skipped with policy none, a changed one updated with update, node ports and clusterIP kept', async () => {
    const base = { cluster: 'a', includedResources: ['services'] };
    const none = await restore(base);
    expect(none.result.phase, JSON.stringify(none.result.errors)).toBe('Completed');
    const services = none.items.filter((i) => i.resource === 'services');
    expect(services.map((i) => `${i.name} ${i.outcome}`).sort()).toEqual(
      ['db', 'web', 'web-lb', 'web-nodeport'].map((n) => `${n} skipped`),
    );
    expect(services.every((i) => /identical/.test(i.reason ?? ''))).toBe(true);
    expect(none.result.warnings).toEqual([]);

    const path = svcPath(ns, 'web-nodeport');
    const before = await a.get<Svc & { spec: { clusterIP: string; sessionAffinity: string } }>(path);
    await a.request('PATCH', path, {
      body: { spec: { sessionAffinity: 'ClientIP' } },
      contentType: 'application/merge-patch+json',
    });
    const stillNone = await restore(base);
    expect(stillNone.items.find((i) => i.name === 'web-nodeport')?.outcome).toBe('skipped');
    expect(stillNone.result.warnings.some((w) => /web-nodeport/.test(w.item ?? '') && /differs/.test(w.message))).toBe(
      true,
    );

    const update = await restore({ ...base, existingResourcePolicy: 'update' });
    expect(update.result.phase, JSON.stringify(update.result.errors)).toBe('Completed');
    expect(update.items.find((i) => i.name === 'web-nodeport')?.outcome).toBe('updated');
    expect(update.items.find((i) => i.name === 'web-lb')?.outcome).toBe('skipped');
    const after = await a.get<Svc & { spec: { clusterIP: string; sessionAffinity: string } }>(path);
    expect(after.spec.sessionAffinity).toBe('None');
    expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
    expect(after.spec.ports[0]!.nodePort).toBe(before.spec.ports[0]!.nodePort);
  });

  it('leaves a changed object alone with existingResourcePolicy none, and updates it with update', async () => {
    const target = `${ns}-policy`;
    const base = { namespaceMapping: { [ns]: target }, includedResources: ['configmaps', 'namespaces'] };
    expect((await restore(base)).result.phase).toBe('Completed');
    const path = `/api/v1/namespaces/${target}/configmaps/shop-config`;
    await b.request('PATCH', path, {
      body: { data: { 'app.properties': 'color=red\n' } },
      contentType: 'application/merge-patch+json',
    });

    const none = await restore(base);
    expect(none.result.phase).toBe('Completed');
    const item = none.items.find((i) => i.name === 'shop-config')!;
    expect(item.outcome).toBe('skipped');
    expect(none.result.warnings.some((w) => /differs/.test(w.message))).toBe(true);
    expect((await b.get<{ data: Record<string, string> }>(path)).data['app.properties']).toBe('color=red\n');

    const unchanged = none.items.find((i) => i.name === 'kube-root-ca.crt' || i.resource === 'namespaces');
    expect(unchanged?.outcome).toBe('skipped');

    const update = await restore({ ...base, existingResourcePolicy: 'update' }, 'restore-update-policy');
    expect(update.items.find((i) => i.name === 'shop-config')!.outcome).toBe('updated');
    expect((await b.get<{ data: Record<string, string> }>(path)).data['app.properties']).toBe('color=blue\n');
  });

  it('refuses a backup that is not in any vault, naming it', async () => {
    const err = await restore({ backupName: 'no-such-backup' }).catch(
      (e: unknown) => e as { cause?: { message?: string } },
    );
    expect(String((err as { cause?: { message?: string } }).cause?.message)).toMatch(
      /backup no-such-backup was not found/,
    );
  });
});

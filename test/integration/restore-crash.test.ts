import { WorkflowFailedError, type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { RestoreCreate } from '../../domain/restore.js';
import type { KubeClient } from '../../activities/kube/client.js';
import type { KubeObject } from '../../resources/types.js';
import type { BackupStore } from '../../vault/store.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { RestoreWorkflow } from '../../workflows/restore.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import type { TaskStatus } from '../../domain/task.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { applyAll, createConfigMaps } from './kube-apply.js';
import { nodePortServices } from '../fixtures/app.js';
import { killAgent, maxActivityAttempt, startAgentProcess } from './agent-spawn.js';
import { testVault, kube, recordHistory, uniqueName, startTestSystem, type TestSystem } from './harness.js';
import type { VaultCreate } from '../../domain/vault.js';

const COUNT = 3000;
/** PodTemplates are restored after Services: killing the agent among them means the first attempt created the Services. */
const TEMPLATES = 1000;
const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 5, resourceReadyTimeoutMinutes: 0.2 };

async function createPodTemplates(kube: KubeClient, ns: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, count - i) }, (_, j) =>
        kube.request('POST', `/api/v1/namespaces/${ns}/podtemplates`, {
          body: {
            apiVersion: 'v1',
            kind: 'PodTemplate',
            metadata: { name: `pt-${String(i + j).padStart(5, '0')}` },
            template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } },
          },
        }),
      ),
    );
  }
}

/** A Service as compared between two restores: without what the server assigns at random or the restore names. */
function comparable(svc: KubeObject): unknown {
  const { clusterIP: _ip, clusterIPs: _ips, healthCheckNodePort: _hc, ...spec } = svc.spec as Record<string, unknown>;
  return { name: svc.metadata.name, spec };
}

describe('restore: a killed agent, and objects that must become ready again', () => {
  let client: Client;
  let system: TestSystem;
  let vault: VaultCreate;
  let store: BackupStore;
  let a: KubeClient;
  let b: KubeClient;

  const backup = async (spec: Omit<BackupCreate, 'cluster' | 'vault' | 'backupType' | 'ttl'>) => {
    const full: BackupCreate = { cluster: 'a', vault: vault.name, backupType: 'AppBackup', ttl: '720h0m0s', ...spec };
    return client.workflow.execute(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${spec.name}`,
      args: [{ spec: full, options }],
    });
  };
  const startRestore = (spec: RestoreCreate) =>
    client.workflow.start(RestoreWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `restore/${spec.name}`,
      args: [{ spec, options }],
    });

  beforeAll(async () => {
    ({ vault, store } = testVault());
    a = await kube('a');
    b = await kube('b');
    // Control worker and cluster a's agent in-process; cluster b's agent runs in a child process so it can be killed.
    system = await startTestSystem({ clusters: ['a'], vaults: [vault] });
    ({ client } = system);
  }, 300_000);

  const services = async (ns: string) =>
    (await b.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${ns}/services`)).items.sort((x, y) =>
      x.metadata.name.localeCompare(y.metadata.name),
    );

  afterAll(async () => {
    await system?.stop();
  });

  it('SIGKILL of the target agent mid-restore: after restart the cluster holds what an undisturbed restore creates, nothing twice', async () => {
    const ns = uniqueName('bulk');
    await a.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await createConfigMaps(a, ns, COUNT);
    // Services with node ports: the retried attempt meets those the killed one created (a create answered 422, not 409).
    await applyAll(a, nodePortServices(ns));
    await createPodTemplates(a, ns, TEMPLATES);
    const bk = uniqueName('bk');
    expect((await backup({ name: bk, includedNamespaces: [ns] })).phase).toBe('Completed');

    let agent = await startAgentProcess('b');
    try {
      const calmNs = `${ns}-calm`;
      const calmName = uniqueName('calm');
      const calm = await (
        await startRestore({
          name: calmName,
          backupName: bk,
          cluster: 'b',
          namespaceMapping: { [ns]: calmNs },
        } as RestoreCreate)
      ).result();
      expect(calm.phase, JSON.stringify(calm.errors.slice(0, 3))).toBe('Completed');
      const calmItems = (await store.getRestoreItems(calmName)) ?? [];
      // The undisturbed copy's Services, then deleted so their node ports are free for the crashed one.
      const calmServices = await services(calmNs);
      for (const svc of ['np', 'lb']) await b.request('DELETE', `/api/v1/namespaces/${calmNs}/services/${svc}`);

      const crashNs = `${ns}-crash`;
      const name = uniqueName('crash');
      const handle = await startRestore({
        name,
        backupName: bk,
        cluster: 'b',
        namespaceMapping: { [ns]: crashNs },
      } as RestoreCreate);
      const templates = `/api/v1/namespaces/${crashNs}/podtemplates`;
      let restored = 0;
      for (let i = 0; i < 6000 && restored < 100; i++) {
        restored = (await b.get<{ items: unknown[] }>(templates).catch(() => ({ items: [] }))).items.length;
        if (restored < 100) await new Promise((r) => setTimeout(r, 20));
      }
      expect(restored).toBeGreaterThanOrEqual(100);
      await killAgent(agent);
      const midway = (await b.get<{ items: unknown[] }>(templates)).items.length;
      expect(midway).toBeLessThan(TEMPLATES);
      // The killed attempt created the Services: the retry meets them.
      expect((await services(crashNs)).map((s) => s.metadata.labels?.['velero.io/restore-name'])).toEqual([name, name]);
      agent = await startAgentProcess('b');
      const result = await handle.result();
      await recordHistory(handle, 'restore-agent-killed');
      expect(result.phase, JSON.stringify(result.errors.slice(0, 3))).toBe('Completed');
      expect(maxActivityAttempt(await handle.fetchHistory())).toBeGreaterThanOrEqual(2);

      const content = async (n: string) =>
        (await b.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${n}/configmaps`)).items
          .map((c) => `${c.metadata.name} ${JSON.stringify((c as { data?: unknown }).data)}`)
          .sort();
      const [x, y] = await Promise.all([content(calmNs), content(crashNs)]);
      expect(y.length).toBe(COUNT + 1); // the bulk ConfigMaps and kube-root-ca.crt
      expect(y).toEqual(x);
      const items = (await store.getRestoreItems(name)) ?? [];
      expect(items.filter((i) => i.resource === 'configmaps' && i.outcome === 'created').length).toBe(COUNT);
      // The Services equal the undisturbed run's, node ports included; so do the outcomes and warnings of the
      // Services and PodTemplates (the default ServiceAccount and kube-root-ca.crt race the namespace's controllers).
      expect((await services(crashNs)).map(comparable)).toEqual(calmServices.map(comparable));
      const ours = (resource: string) => resource === 'services' || resource === 'podtemplates';
      const outcomes = (xs: typeof items) =>
        xs
          .filter((i) => ours(i.resource))
          .map((i) => `${i.resource} ${i.name} ${i.outcome}`)
          .sort();
      expect(outcomes(items)).toEqual(outcomes(calmItems));
      expect(outcomes(items).filter((o) => o.endsWith(' created'))).toHaveLength(TEMPLATES + 2);
      const warnings = (ws: typeof calm.warnings, n: string) =>
        ws.filter((w) => ours(w.item?.split(' ')[0] ?? '')).map((w) => w.message.replaceAll(n, 'NS'));
      expect(warnings(result.warnings, crashNs)).toEqual(warnings(calm.warnings, calmNs));
    } finally {
      await killAgent(agent);
    }
  });

  it('waits for a PVC that was Bound to bind again, and fails with "create cluster resources timeout" naming the one that does not', async () => {
    const ns = uniqueName('vol');
    const pv = (name: string, policy: string): KubeObject =>
      ({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: `${ns}-${name}` },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: policy,
          storageClassName: 'manual',
          hostPath: { path: `/tmp/${ns}-${name}` },
          claimRef: { namespace: ns, name },
        },
      }) as KubeObject;
    const pvc = (name: string): KubeObject =>
      ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace: ns },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'manual',
          volumeName: `${ns}-${name}`,
          resources: { requests: { storage: '1Gi' } },
        },
      }) as KubeObject;
    await applyAll(a, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      pv('kept', 'Retain'),
      pv('gone', 'Delete'),
      pvc('kept'),
      pvc('gone'),
    ]);
    // The controller manager binds them in cluster a.
    for (let i = 0; i < 150; i++) {
      const claims = (
        await a.get<{ items: Array<{ status?: { phase?: string } }> }>(
          `/api/v1/namespaces/${ns}/persistentvolumeclaims`,
        )
      ).items;
      if (claims.every((c) => c.status?.phase === 'Bound')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const bk = uniqueName('bk');
    expect((await backup({ name: bk, includedNamespaces: [ns] })).phase).toBe('Completed');

    const agent = await startAgentProcess('b');
    try {
      // The Retain PV is restored before its claim, which binds again; the Delete PV is not restored,
      // so its claim asks for a new volume from a class without a provisioner and never binds.
      const outcome = await (
        await startRestore({ name: uniqueName('rs'), backupName: bk, cluster: 'b' } as RestoreCreate)
      )
        .result()
        .catch((e: unknown) => e);
      expect(outcome).toBeInstanceOf(WorkflowFailedError);
      const status = ((outcome as WorkflowFailedError).cause as { details?: unknown[] }).details?.[0] as TaskStatus;
      expect(status.failureReason).toMatch(/^create cluster resources timeout: /);
      expect(status.failureReason).toContain(`PersistentVolumeClaim ${ns}/gone is not Bound`);
      expect(status.failureReason).not.toContain(`${ns}/kept`);
      const claim = await b.get<{ status?: { phase?: string } }>(
        `/api/v1/namespaces/${ns}/persistentvolumeclaims/kept`,
      );
      expect(claim.status?.phase).toBe('Bound');
    } finally {
      await killAgent(agent);
    }
  });
});

import { gunzipSync } from 'node:zlib';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { BackupStore } from '../../vault/store.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import type { TaskStatus } from '../../domain/task.js';
import { clusterTaskQueue, CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import type { KubeObject } from '../../resources/types.js';
import { crd, shopApp, sourceStorageClass, widgetCrd } from '../fixtures/app.js';
import { applyAll } from './kube-apply.js';
import { testVault, kube, recordHistory, uniqueName, startTestSystem, type TestSystem } from './harness.js';
import type { VaultCreate } from '../../domain/vault.js';

const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 10 };

describe('BackupWorkflow against a real control plane', () => {
  let client: Client;
  let system: TestSystem;
  let connection: NativeConnection;
  let vault: VaultCreate;
  let store: BackupStore;
  const ns = uniqueName('shop');

  const backup = (overrides: Partial<BackupCreate>): BackupCreate => ({
    name: uniqueName('bk'),
    cluster: 'a',
    vault: vault.name,
    backupType: 'AppBackup',
    ttl: '720h0m0s',
    includedNamespaces: [ns],
    ...overrides,
  });
  const run = async (spec: BackupCreate, taskOptions = options) => {
    const handle = await client.workflow.start(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${spec.name}`,
      args: [{ spec, options: taskOptions }],
    });
    return { handle, result: await handle.result() };
  };
  const failureOf = async (spec: BackupCreate, taskOptions = options): Promise<TaskStatus> => {
    const err = await run(spec, taskOptions).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as { details?: unknown[] };
    return cause.details?.[0] as TaskStatus;
  };

  /** The backup's log (`<name>-logs.gz`) as text. */
  const logOf = async (name: string) =>
    gunzipSync(await store.objects.get(store.layout.backupKey(name, 'logs'))).toString('utf8');

  beforeAll(async () => {
    ({ vault, store } = testVault());
    const k = await kube('a');
    await applyAll(k, [widgetCrd, sourceStorageClass, ...shopApp(ns)]);
    // A short wait for absent agents (config agentGraceSeconds), so the no-agent test ends quickly.
    system = await startTestSystem({ clusters: ['a'], vaults: [vault], agentGraceSeconds: 2 });
    ({ client, connection } = system);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('stores every object of the application, in every served version, in Velero layout', async () => {
    const spec = backup({});
    const { handle, result } = await run(spec);
    await recordHistory(handle, 'backup-completed');

    expect(result.phase).toBe('Completed');
    expect(result.errors).toEqual([]);
    const listed = await store.listBackups();
    expect(listed.map((b) => b.metadata.name)).toContain(spec.name);

    const paths = new Set<string>();
    const objects = new Map<string, { kind: string; metadata: { name: string } }>();
    for await (const entry of store.openArchive(spec.name)) {
      paths.add(entry.path);
      if ('object' in entry) objects.set(entry.path, entry.object as never);
    }
    const n = `namespaces/${ns}`;
    const expected = [
      'metadata/version',
      `resources/deployments.apps/v1-preferredversion/${n}/web.json`,
      `resources/deployments.apps/${n}/web.json`,
      `resources/statefulsets.apps/v1-preferredversion/${n}/db.json`,
      `resources/services/v1-preferredversion/${n}/web.json`,
      `resources/services/v1-preferredversion/${n}/web-nodeport.json`,
      `resources/services/v1-preferredversion/${n}/web-lb.json`,
      `resources/services/v1-preferredversion/${n}/db.json`,
      `resources/configmaps/v1-preferredversion/${n}/shop-config.json`,
      `resources/secrets/v1-preferredversion/${n}/shop-secret.json`,
      `resources/ingresses.networking.k8s.io/v1-preferredversion/${n}/web.json`,
      `resources/serviceaccounts/v1-preferredversion/${n}/shop.json`,
      `resources/roles.rbac.authorization.k8s.io/v1-preferredversion/${n}/shop-reader.json`,
      `resources/rolebindings.rbac.authorization.k8s.io/v1-preferredversion/${n}/shop-view.json`,
      // The CRD serves two versions: each custom resource is stored in both, v1 preferred.
      `resources/widgets.example.com/v1-preferredversion/${n}/blue-widget.json`,
      `resources/widgets.example.com/v1beta1/${n}/blue-widget.json`,
      `resources/widgets.example.com/v1beta1/${n}/red-widget.json`,
      // Cluster-scoped objects the namespaced ones need.
      `resources/namespaces/v1-preferredversion/cluster/${ns}.json`,
      'resources/customresourcedefinitions.apiextensions.k8s.io/v1-preferredversion/cluster/widgets.example.com.json',
      'resources/clusterroles.rbac.authorization.k8s.io/v1-preferredversion/cluster/view.json',
      'resources/storageclasses.storage.k8s.io/v1-preferredversion/cluster/standard-a.json',
      `resources/persistentvolumeclaims/v1-preferredversion/${n}/uploads.json`,
    ];
    for (const p of expected) expect(paths, p).toContain(p);
    // Nothing from other namespaces, no events, no nodes.
    for (const p of paths) {
      const inNamespace = p.match(/^resources\/[^/]+\/(?:[^/]+\/)?namespaces\/([^/]+)\//);
      if (inNamespace) expect(inNamespace[1]).toBe(ns);
      expect(p).not.toMatch(/^resources\/(events|nodes)[./]/);
    }
    const v1beta1 = objects.get(`resources/widgets.example.com/v1beta1/${n}/red-widget.json`) as unknown as {
      apiVersion: string;
    };
    expect(v1beta1.apiVersion).toBe('example.com/v1beta1');

    const resourceList = await store.getResourceList(spec.name);
    expect(resourceList?.['apps/v1/Deployment']).toEqual([`${ns}/web`]);
    expect(resourceList?.['example.com/v1/Widget']).toEqual([`${ns}/blue-widget`, `${ns}/red-widget`]);
    const metadata = await store.getBackup(spec.name);
    expect(metadata?.status?.phase).toBe('Completed');
    expect(metadata?.status?.progress?.itemsBackedUp).toBe(result.progress.itemsBackedUp);
    expect(result.progress.itemsBackedUp).toBeGreaterThanOrEqual(19);

    // The log says what was selected and why, in Velero's logrus format, one line per event.
    const log = await logOf(spec.name);
    const lines = log.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^time="[^"]+" level=(info|warning|error) msg=/);
    const b = `backup=${spec.name}`;
    expect(log).toContain(`level=info msg="Including namespaces: ${ns}" ${b}\n`);
    expect(log).toContain(`msg="Namespaces selected: ${ns}" ${b} count=1\n`);
    expect(log).toMatch(
      new RegExp(
        `msg="Added cluster-scoped item needed by backed-up items" ${b} name=standard-a ` +
          `reason="spec\\.storageClassName of PersistentVolumeClaim ${ns}/uploads" resource=storageclasses\\.storage\\.k8s\\.io\n`,
      ),
    );
    expect(log).toContain(
      `name=view reason="roleRef of RoleBinding ${ns}/shop-view" resource=clusterroles.rbac.authorization.k8s.io`,
    );
    expect(log).toContain(`name=widgets.example.com reason="defines the kind of Widget ${ns}/`);
    expect(log).toMatch(
      new RegExp(`msg="Backed up items" ${b} duration=\\S+ items=1 resource=deployments\\.apps version=v1\n`),
    );
    expect(log).toMatch(new RegExp(`msg="Backed up items" ${b} duration=\\S+ items=4 resource=services version=v1\n`));
    expect(log).toMatch(
      new RegExp(`msg="Backed up items" ${b} duration=\\S+ items=2 resource=widgets\\.example\\.com version=v1\n`),
    );
    expect(log).toMatch(
      new RegExp(`msg="Backed up items" ${b} duration=\\S+ items=1 resource=namespaces version=v1\n`),
    );
    // Types with nothing in the namespace are left out; every step is timed.
    expect(log).not.toMatch(/items=0 /);
    for (const step of ['discovery', 'namespaced resources', 'referenced cluster-scoped items', 'upload'])
      expect(log).toMatch(new RegExp(`msg="Finished step ${step}" .*duration=\\S+ (.* )?step="?${step}"?[ \n]`));
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `msg="Backed up a total of ${result.progress.itemsBackedUp} items" ${b} duration=\\S+ errors=0 items=${result.progress.itemsBackedUp} warnings=0$`,
      ),
    );

    // The Temporal UI can list this cluster's backups by phase.
    const query = `BackupCenterCluster="a" AND BackupCenterPhase="Completed" AND BackupCenterBackup="${spec.name}"`;
    let found = 0;
    for (let i = 0; i < 40 && found === 0; i++) {
      for await (const _ of client.workflow.list({ query })) found++;
      if (found === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(found).toBe(1);
  });

  it('takes only labelled objects with a label selector', async () => {
    await (
      await kube('a')
    ).request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { metadata: { name: 'unlabelled' }, data: { x: '1' } },
    });
    const spec = backup({
      labelSelector: 'app=shop',
      includedResources: ['deployments', 'svc', 'configmaps', 'nosuchthings'],
    });
    const { result } = await run(spec);
    expect(result.phase).toBe('Completed');
    // A name the cluster does not serve is a warning, once.
    expect(result.warnings.filter((w) => w.item === 'nosuchthings').map((w) => w.message)).toEqual([
      'resource nosuchthings is not served by cluster a',
    ]);
    const list = await store.getResourceList(spec.name);
    expect(Object.keys(list ?? {}).sort()).toEqual([
      'apps/v1/Deployment',
      'v1/ConfigMap',
      'v1/Namespace',
      'v1/Service',
    ]);
    expect(list?.['v1/Service']).toEqual([`${ns}/db`, `${ns}/web`, `${ns}/web-lb`, `${ns}/web-nodeport`]);
    expect(list?.['v1/Namespace']).toEqual([ns]);
    expect(list?.['v1/ConfigMap']).toEqual([`${ns}/shop-config`]);
  });

  it('skips objects being deleted', async () => {
    const k = await kube('a');
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    await k.request('POST', path, {
      body: { metadata: { name: 'going', finalizers: ['example.com/hold'] }, data: { x: '1' } },
    });
    await k.request('DELETE', `${path}/going`);
    try {
      const spec = backup({ includedResources: ['configmaps'] });
      const { result } = await run(spec);
      expect(result.phase).toBe('Completed');
      const list = await store.getResourceList(spec.name);
      expect(list?.['v1/ConfigMap']).toContain(`${ns}/shop-config`);
      expect(list?.['v1/ConfigMap']).not.toContain(`${ns}/going`);
      // The log names it and why; configmaps were named, so they have a count line.
      const log = await logOf(spec.name);
      expect(log).toMatch(
        new RegExp(
          `level=info msg="Skipped item" backup=${spec.name} name=going namespace=${ns} reason="being deleted \\(deletionTimestamp [^)]+\\)" resource=configmaps\n`,
        ),
      );
      expect(log).toMatch(/msg="Backed up items" .* resource=configmaps version=v1\n/);
    } finally {
      await k.request('PATCH', `${path}/going`, {
        body: { metadata: { finalizers: null } },
        contentType: 'application/merge-patch+json',
      });
    }
  });

  it('ends PartiallyFailed naming the items it could not read, and still commits what it read', async () => {
    // A CRD whose second version needs a conversion webhook that does not answer: listing v2 fails.
    const k = await kube('a');
    const broken = crd('brokens', 'Broken', ['v1', 'v2']) as KubeObject & { spec: Record<string, unknown> };
    broken.spec.conversion = {
      strategy: 'Webhook',
      webhook: { conversionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:1/convert' } },
    };
    await applyAll(k, [broken]);
    try {
      await k.request('POST', `/apis/example.com/v1/namespaces/${ns}/brokens`, {
        body: { apiVersion: 'example.com/v1', kind: 'Broken', metadata: { name: 'b1' }, spec: { n: 1 } },
      });
      const spec = backup({ includedResources: ['brokens.example.com', 'configmaps'] });
      const { result } = await run(spec);
      expect(result.phase).toBe('PartiallyFailed');
      expect(result.errors.map((e) => e.item)).toEqual(['brokens.example.com/v2']);
      expect(result.errors[0]!.message).toMatch(/list brokens.example.com v2 failed/);
      const listed = await store.listBackups();
      expect(listed.find((b) => b.metadata.name === spec.name)?.status?.phase).toBe('PartiallyFailed');
      expect((await store.getResourceList(spec.name))?.['example.com/v1/Broken']).toEqual([`${ns}/b1`]);
    } finally {
      // Other test files back up cluster a too: leave no unreadable type behind.
      await k.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/brokens.example.com');
      for (let i = 0; i < 100; i++) {
        const gone = await k.get('/apis/apiextensions.k8s.io/v1/customresourcedefinitions/brokens.example.com').then(
          () => false,
          () => true,
        );
        if (gone) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  it('fails with the FAQ message when the name is already in the vault, and leaves the first backup intact', async () => {
    const spec = backup({});
    await run(spec);
    const status = await failureOf(spec);
    expect(status.phase).toBe('Failed');
    expect(status.failureReason).toBe('backup already exists in vault');
    expect((await store.listBackups()).filter((b) => b.metadata.name === spec.name)).toHaveLength(1);
  });

  it('fails with "get target namespace failed" when no namespace matches', async () => {
    const spec = backup({ includedNamespaces: ['no-such-namespace'] });
    const status = await failureOf(spec);
    expect(status.failureReason).toBe('get target namespace failed');
    expect(await store.backupExists(spec.name)).toBe(false);
  });

  it('fails after the agent grace period when no agent serves the cluster (the FAQ\'s "The components are abnormal")', async () => {
    const started = Date.now();
    const status = await failureOf(backup({ cluster: 'nobody-home' }));
    expect(status.failureReason).toBe(
      'The components are abnormal: no cluster agent is polling task queue cluster-nobody-home',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000); // it waited the grace first
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('fails with "backup process timeout" naming the subtask that ran out of its budget, leaving nothing', async () => {
    // An agent whose planning takes 4 s, against a 1 s budget for cluster subtasks (the FAQ's
    // velero_timeout_minutes). The control worker and the server are the real ones.
    const cluster = uniqueName('slow');
    const slowAgent = await Worker.create({
      connection,
      namespace: client.options.namespace,
      taskQueue: clusterTaskQueue(cluster),
      activities: { planBackup: () => new Promise((r) => setTimeout(r, 4000)) },
    });
    const running = slowAgent.run();
    try {
      const spec = backup({ cluster });
      const status = await failureOf(spec, { ...options, subtaskTimeoutMinutes: 1 / 60 });
      expect(status.failureReason).toBe('backup process timeout: subtask Plan did not finish in time');
      expect(status.errors.map((e) => e.code)).toContain('SubtaskTimeout');
      expect(await store.backupExists(spec.name)).toBe(false);
    } finally {
      slowAgent.shutdown();
      await running;
    }
  });

  it('fails with VaultError when the vault is unavailable', async () => {
    const spec = backup({ vault: 'no-such-vault' });
    const status = await failureOf(spec);
    expect(status.failureReason).toMatch(/^VaultError: backup vault is unavailable: /);
  });
});

// One backup and one cross-cluster restore per vault backend (a local directory, S3 on versitygw,
// OSS on the local OSS server), each with and without client-side encryption, on the real Temporal
// server and control planes; then the same against stores failing 10% of requests, an immutable S3
// vault with Object Lock, and an encrypted vault whose key is gone. What a user checks: the task's
// outcome, the objects in the target cluster, and what the bucket holds.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeClient } from '../../activities/kube/client.js';
import type { BackupCreate } from '../../domain/backup.js';
import type { RestoreCreate } from '../../domain/restore.js';
import type { VaultCreate } from '../../domain/vault.js';
import type { KubeObject } from '../../resources/types.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { openVault, type VaultAccess } from '../../vault/open.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { DeleteWorkflow } from '../../workflows/delete.js';
import { RestoreWorkflow } from '../../workflows/restore.js';
import { startFaultProxy, type FaultProxy } from '../servers/fault-proxy.js';
import { DEFAULT_CREDENTIAL, OssServer } from '../servers/oss-server.js';
import { startVersitygw, type LocalS3 } from '../servers/versitygw.js';
import { applyAll } from './kube-apply.js';
import { kube, startTestSystem, uniqueName, type TestSystem } from './harness.js';

const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 10, resourceReadyTimeoutMinutes: 1 };
const PASSWORD = 'correct-horse-battery-staple';
const KEY_RING = 'it-keys';

function app(ns: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: ns },
      stringData: { password: PASSWORD },
    } as KubeObject,
    ...Array.from(
      { length: 20 },
      (_, i) =>
        ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cfg-${i}`, namespace: ns, labels: { app: 'shop' } },
          data: { payload: 'x'.repeat(2000 + i) },
        }) as KubeObject,
    ),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shop', namespace: ns } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'shop' }, ports: [{ port: 80 }] },
    } as KubeObject,
  ];
}

async function list(k: KubeClient, path: string): Promise<KubeObject[]> {
  return (await k.get<{ items: KubeObject[] }>(path)).items;
}

/** What a user compares after a restore: names and contents of the ConfigMaps and the Secret. */
async function contents(k: KubeClient, ns: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const cm of await list(k, `/api/v1/namespaces/${ns}/configmaps`))
    if (cm.metadata.name.startsWith('cfg-')) out[`cm/${cm.metadata.name}`] = (cm as { data?: unknown }).data;
  for (const s of await list(k, `/api/v1/namespaces/${ns}/secrets`))
    if (s.metadata.name === 'db') out[`secret/db`] = (s as { data?: unknown }).data;
  const svc = await list(k, `/api/v1/namespaces/${ns}/services`);
  out.services = svc.map((s) => s.metadata.name).sort();
  return out;
}

describe('vault backends: backup and restore through each, encrypted or not', () => {
  let system: TestSystem;
  let client: Client;
  let a: KubeClient;
  let b: KubeClient;
  let s3: LocalS3;
  let oss: OssServer;
  let faultyOss: OssServer;
  let proxy: FaultProxy;
  let access: VaultAccess;
  let keysDir: string;
  const ns = uniqueName('vb');
  const vaults: Record<string, VaultCreate> = {};
  const saved: Record<string, string | undefined> = {};

  const vault = (label: string, spec: Omit<VaultCreate, 'name'>): VaultCreate =>
    (vaults[label] = { name: uniqueName(`vb-${label}`), ...spec } as VaultCreate);

  beforeAll(async () => {
    const workDir = inject('workDir');
    keysDir = mkdtempSync(join(workDir, 'keys-'));
    writeFileSync(join(keysDir, KEY_RING), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    [s3, oss, faultyOss] = await Promise.all([
      startVersitygw(),
      OssServer.start({ region: 'cn-hangzhou' }),
      OssServer.start({
        region: 'cn-hangzhou',
        faults: { rate: 0.1, seed: 7, kinds: ['error500', 'error503', 'reset'] },
      }),
    ]);
    proxy = await startFaultProxy({ target: s3.endpoint, failureRate: 0.1, seed: 11, maxDelayMs: 300 });
    // The SDKs' default credential chains read these, as they would in production.
    for (const [k, v] of Object.entries({
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_CREDENTIAL.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_CREDENTIAL.accessKeySecret,
    })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }

    for (const encrypted of [false, true]) {
      const tag = encrypted ? '-enc' : '';
      const encryption = encrypted ? { encryption: { keyRef: KEY_RING } } : {};
      vault(`filesystem${tag}`, { backend: 'filesystem', path: mkdtempSync(join(workDir, 'vb-')), ...encryption });
      const s3Bucket = uniqueName('vb-s3');
      await s3.createBucket(s3Bucket);
      vault(`s3${tag}`, { backend: 's3', bucket: s3Bucket, prefix: 'team-a', endpoint: s3.endpoint, ...encryption });
      const ossBucket = uniqueName('vb-oss');
      oss.createBucket(ossBucket);
      vault(`oss${tag}`, {
        backend: 'oss',
        bucket: ossBucket,
        region: 'cn-hangzhou',
        prefix: 'team-a',
        endpoint: oss.endpoint,
        serverSideEncryption: { type: 'oss' },
        ...encryption,
      });
    }
    const faultyS3Bucket = uniqueName('vb-s3f');
    await s3.createBucket(faultyS3Bucket);
    vault('s3-faulty', { backend: 's3', bucket: faultyS3Bucket, endpoint: proxy.endpoint });
    const faultyOssBucket = uniqueName('vb-ossf');
    faultyOss.createBucket(faultyOssBucket);
    vault('oss-faulty', {
      backend: 'oss',
      bucket: faultyOssBucket,
      region: 'cn-hangzhou',
      endpoint: faultyOss.endpoint,
    });
    const lockedBucket = uniqueName('vb-lock');
    await s3.createBucket(lockedBucket, { objectLock: true });
    vault('s3-immutable', {
      backend: 's3',
      bucket: lockedBucket,
      endpoint: s3.endpoint,
      immutable: { days: 1, mode: 'governance' },
    });

    a = await kube('a');
    b = await kube('b');
    await applyAll(a, app(ns));
    system = await startTestSystem({ clusters: ['a', 'b'], vaults: Object.values(vaults), keysDir });
    ({ client } = system);
    access = { vaultRoot: join(workDir, 'vaults'), keysDir };
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    await Promise.allSettled([s3?.stop(), oss?.close(), faultyOss?.close(), proxy?.stop()]);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const backup = (label: string) => {
    const spec: BackupCreate = {
      name: uniqueName(`bk-${label}`),
      cluster: 'a',
      vault: vaults[label]!.name,
      backupType: 'AppBackup',
      ttl: '720h0m0s',
      includedNamespaces: [ns],
    };
    return client.workflow
      .execute(BackupWorkflow, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: `backup/${spec.name}`,
        args: [{ spec, options }],
      })
      .then((result) => ({ result, spec }));
  };

  const restore = async (backupName: string, target: string) => {
    const spec = {
      name: uniqueName('rs'),
      backupName,
      cluster: 'b',
      includedNamespaces: [ns],
      namespaceMapping: { [ns]: target },
    } as RestoreCreate;
    const handle = await client.workflow.start(RestoreWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `restore/${spec.name}`,
      args: [{ spec, options }],
    });
    return handle.result().then(
      (result) => ({ result, failure: undefined }),
      (err: unknown) => ({ result: undefined, failure: err as Error }),
    );
  };

  /** Every key and the raw bytes of each object of a vault, read past its encryption. */
  const rawObjects = async (label: string): Promise<Map<string, Buffer>> => {
    const { encryption: _e, ...plain } = vaults[label]!;
    const store = openVault(plain, access);
    const out = new Map<string, Buffer>();
    for await (const key of store.objects.list(store.layout.root)) out.set(key, await store.objects.get(key));
    return out;
  };

  let baseline: Record<string, unknown> | undefined;

  for (const label of ['filesystem', 's3', 'oss', 'filesystem-enc', 's3-enc', 'oss-enc']) {
    it(`${label}: a backup completes and a restore into the other cluster brings back every object`, async () => {
      const { result, spec } = await backup(label);
      expect(result.phase, result.failureReason).toBe('Completed');
      expect(result.progress.itemsBackedUp).toBe(result.progress.totalItems);

      const raw = await rawObjects(label);
      const prefix = vaults[label]!.prefix ? `${vaults[label]!.prefix}/` : '';
      expect([...raw.keys()].filter((k) => k.includes(`backups/${spec.name}/`)).sort()).toEqual(
        [
          `${prefix}backups/${spec.name}/${spec.name}-logs.gz`,
          `${prefix}backups/${spec.name}/${spec.name}-resource-list.json.gz`,
          `${prefix}backups/${spec.name}/${spec.name}-results.gz`,
          `${prefix}backups/${spec.name}/${spec.name}.tar.gz`,
          `${prefix}backups/${spec.name}/velero-backup.json`,
        ].sort(),
      );
      const metadata = raw.get(`${prefix}backups/${spec.name}/velero-backup.json`)!;
      if (label.endsWith('-enc')) {
        // Sealed: not JSON, not the name of the backup in clear.
        expect(metadata.subarray(0, 8).toString()).toBe('BCSEAL1\n');
        expect(metadata.includes(Buffer.from(spec.name))).toBe(false);
      } else {
        expect(JSON.parse(metadata.toString()).metadata.name).toBe(spec.name);
      }

      const target = uniqueName(`to-${label}`);
      const { result: restored, failure } = await restore(spec.name, target);
      expect(failure).toBeUndefined();
      expect(restored!.phase, restored!.failureReason).toBe('Completed');
      const got = await contents(b, target);
      expect(Object.keys(got).filter((k) => k.startsWith('cm/'))).toHaveLength(20);
      expect(Buffer.from((got['secret/db'] as { password: string }).password, 'base64').toString()).toBe(PASSWORD);
      baseline ??= got;
      expect(got).toEqual(baseline);
    });
  }

  for (const label of ['s3-faulty', 'oss-faulty']) {
    it(`${label}: with 10% of store requests failing, backups and restores end as an undisturbed run`, async () => {
      const faults = () =>
        label === 's3-faulty'
          ? Object.entries(proxy.counts).reduce((n, [k, v]) => (k === 'requests' ? n : n + v), 0)
          : faultyOss.requests.filter((r) => r.fault !== undefined).length;
      // Rounds until the store has failed at least 5 requests, so the outcome is the retries' doing.
      let rounds = 0;
      for (; rounds < 10 && (rounds < 2 || faults() < 5); rounds++) {
        const { result, spec } = await backup(label);
        expect(result.phase, result.failureReason).toBe('Completed');
        expect(result.errors).toEqual([]);
        expect(result.progress.itemsBackedUp).toBe(result.progress.totalItems);
        const target = uniqueName(`to-${label}`);
        const { result: restored, failure } = await restore(spec.name, target);
        expect(failure).toBeUndefined();
        expect(restored!.phase).toBe('Completed');
        expect(await contents(b, target)).toEqual(baseline);
      }
      console.log(`${label}: ${rounds} rounds, ${faults()} requests failed by injection`);
      expect(faults()).toBeGreaterThanOrEqual(5);
    });
  }

  it('an encrypted vault whose key is gone: the restore fails naming the key, and writes nothing to the cluster', async () => {
    const { result, spec } = await backup('s3-enc');
    expect(result.phase).toBe('Completed');
    const ring = join(keysDir, KEY_RING);
    const original = readFileSync(ring, 'utf8');
    writeFileSync(ring, `${randomBytes(32).toString('base64')}\n`); // the old key lost, another in its place
    try {
      const target = uniqueName('to-nokey');
      const { failure } = await restore(spec.name, target);
      expect(failure).toBeDefined();
      expect(String((failure as Error & { cause?: Error }).cause?.message ?? failure)).toMatch(
        /cannot decrypt .*velero-backup\.json: it was encrypted with key [0-9a-f]{16}, which key ring it-keys does not hold/,
      );
      const namespaces = (await list(b, '/api/v1/namespaces')).map((n) => n.metadata.name);
      expect(namespaces).not.toContain(target);
    } finally {
      writeFileSync(ring, original);
    }
  });

  it('an immutable S3 vault: objects carry Object Lock retention; a delete marks the backup and keeps its data', async () => {
    const { result, spec } = await backup('s3-immutable');
    expect(result.phase, result.failureReason).toBe('Completed');
    const store = openVault(vaults['s3-immutable']!, access);
    const deleted = await client.workflow.execute(DeleteWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `delete/backup/${spec.name}`,
      args: [{ spec: { deleteObjectName: spec.name, deleteObjectType: 'Backup' } }],
    });
    expect(deleted.phase).toBe('Completed');
    expect(deleted.warnings.map((w) => w.message).join('\n')).toMatch(
      new RegExp(
        `backup ${spec.name} is retained by immutable vault .* until 20.*: it is marked deleted and no longer listed`,
      ),
    );
    expect((await store.listBackups()).map((x) => x.metadata.name)).not.toContain(spec.name);
    const keys: string[] = [];
    for await (const k of store.objects.list(store.layout.backupDir(spec.name))) keys.push(k);
    expect(keys).toContain(`backups/${spec.name}/${spec.name}.tar.gz`);
    expect(keys).toContain(`backups/${spec.name}/${spec.name}-deleted.json`);
  });
});

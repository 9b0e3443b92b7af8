import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { BackupCreate } from '../domain/backup.js';
import type { BackupStore } from '../vault/store.js';
import type { ArchiveEntry } from '../vault/archive.js';
import { createBackupClusterActivities } from './backup/cluster.js';
import type { KubeClient } from './kube/client.js';
import { discoverResources } from './kube/discovery.js';
import { heartbeatingWhileRunning, throttledHeartbeat } from './progress.js';
import { readBackupContents } from './restore/backup-contents.js';

// Slow cluster steps heartbeat while they work (planning, discovery, reading an archive), so a
// slow step is not mistaken for a dead worker and started twice.

/** A cluster serving the core group and apps/v1, whose metrics.k8s.io discovery fails. */
function fakeKube(): KubeClient {
  const answers: Record<string, unknown> = {
    '/api': { versions: ['v1'] },
    '/apis': {
      groups: [
        { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] },
        { name: 'metrics.k8s.io', versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }] },
      ],
    },
    '/api/v1': {
      groupVersion: 'v1',
      resources: [
        { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['list', 'get'] },
        { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list', 'get'] },
      ],
    },
    '/apis/apps/v1': {
      groupVersion: 'apps/v1',
      resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list', 'get'] }],
    },
    '/api/v1/namespaces': { items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }] },
  };
  return {
    get: async (path: string) => {
      if (path in answers) return answers[path];
      throw new Error(`503 for ${path}`);
    },
  } as unknown as KubeClient;
}

describe('discovery', () => {
  it('reports progress once for the group list and once per group version, failed ones included', async () => {
    let calls = 0;
    const found = await discoverResources(fakeKube(), () => calls++);
    expect(found.failedGroupVersions.map((f) => f.groupVersion)).toEqual(['metrics.k8s.io/v1beta1']);
    expect(calls).toBe(1 + 3);
  });
});

describe('planBackup', () => {
  it('heartbeats during discovery', async () => {
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const activities = createBackupClusterActivities({
      cluster: 'a',
      kube: fakeKube(),
      logger: pino({ level: 'silent' }),
    });
    const spec = { name: 'b1', cluster: 'a', vault: 'v', includedNamespaces: ['shop'] } as unknown as BackupCreate;
    const plan = (await env.run(activities.planBackup, { spec, ownNamespace: 'backup-center' })) as {
      namespaces: string[];
    };
    expect(plan.namespaces).toEqual(['shop']);
    expect(beats.length).toBeGreaterThan(0);
  });
});

describe('reading an archive', () => {
  it('calls back for every entry read, and the activity heartbeats through it', async () => {
    const entries = Array.from({ length: 3 }, (_, i) => ({
      kind: 'object',
      item: { groupResource: 'configmaps', version: 'v1', preferred: true, namespace: 'shop', name: `cm${i}` },
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm${i}`, namespace: 'shop' } },
    })) as unknown as ArchiveEntry[];
    const store = {
      async *openArchive() {
        yield* entries;
      },
    } as unknown as BackupStore;

    const seen: number[] = [];
    const contents = await readBackupContents(store, 'b1', (n) => seen.push(n));
    expect(seen).toEqual([1, 2, 3]);
    expect(contents.get('configmaps')?.size).toBe(3);

    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    await env.run(async () => readBackupContents(store, 'b1', throttledHeartbeat()));
    expect(beats).toBe(1); // throttled: three entries in well under a second
  });
});

describe('control activities', () => {
  it('heartbeat while they run, so a killed control worker is noticed at the heartbeat timeout', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const { slow } = heartbeatingWhileRunning(
      { slow: async (ms: number) => new Promise<string>((r) => setTimeout(() => r(`slept ${ms}`), ms)) },
      20,
    );
    expect(await env.run(slow, 130)).toBe('slept 130');
    expect(beats).toBeGreaterThanOrEqual(4);
    expect(await slow(5)).toBe('slept 5'); // outside an activity: plain call
  });
});

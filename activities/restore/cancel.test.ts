// A cancelled restore stops creating: restoreResources, cancelled (as a heartbeat would tell it)
// after its first object, creates nothing more, records the item it made in the vault, and
// reports its counters as the CancelledFailure's details for the workflow.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RestoreCreate } from '../../domain/restore.js';
import type { VaultCreate } from '../../domain/vault.js';
import { ArchiveWriter } from '../../vault/archive.js';
import { newBackupMetadata } from '../../vault/backup-metadata.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { emptyResults } from '../../vault/results.js';
import { BackupStore } from '../../vault/store.js';
import type { KubeClient } from '../kube/client.js';
import { createRestoreClusterActivities } from './cluster.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'restore-cancel-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A committed backup of three ConfigMaps and two Deployments in namespace shop. */
async function writeBackup(store: BackupStore, name: string): Promise<void> {
  const writer = new ArchiveWriter();
  const upload = store.putBackupFile(name, 'contents', writer.stream);
  for (const cm of ['a', 'b', 'c'])
    await writer.addObject(
      { group: '', version: 'v1', resource: 'configmaps', namespace: 'shop', name: cm },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cm, namespace: 'shop' }, data: { k: cm } },
      { preferred: true },
    );
  for (const d of ['api', 'web'])
    await writer.addObject(
      { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: d },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d, namespace: 'shop' }, spec: {} },
      { preferred: true },
    );
  await writer.finish();
  await upload;
  await store.putResults(name, emptyResults());
  await store.commitBackup(
    name,
    newBackupMetadata({
      name,
      storageLocation: 'v',
      cluster: 'a',
      phase: 'Completed',
      startTimestamp: '2025-01-01T00:00:00Z',
      completionTimestamp: '2025-01-01T00:01:00Z',
    }),
  );
}

/** A cluster serving configmaps and apps/v1 deployments that records every create. */
function fakeKube(onCreate: (path: string) => void): KubeClient {
  const answers: Record<string, unknown> = {
    '/api': { versions: ['v1'] },
    '/apis': { groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] }] },
    '/api/v1': {
      groupVersion: 'v1',
      resources: [
        { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['list', 'get', 'create'] },
        { name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['list', 'get', 'create'] },
      ],
    },
    '/apis/apps/v1': {
      groupVersion: 'apps/v1',
      resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list', 'get', 'create'] }],
    },
    '/apis/storage.k8s.io/v1/storageclasses': { items: [] },
  };
  return {
    get: async (path: string) => {
      if (path in answers) return answers[path];
      throw new Error(`unexpected GET ${path}`);
    },
    request: async (method: string, path: string, opts: { body?: { metadata: { name: string } } }) => {
      if (method !== 'POST') throw new Error(`unexpected ${method} ${path}`);
      onCreate(`${path}/${opts.body?.metadata.name}`);
      return opts.body;
    },
  } as unknown as KubeClient;
}

describe('restoreResources cancelled', () => {
  it('stops creating at the next object, records what it created, and reports its counters', async () => {
    const store = new BackupStore(new FilesystemObjectStore(dir), '');
    await writeBackup(store, 'b1');
    const vault: VaultCreate = { name: 'v', backend: 'filesystem', path: dir };
    const env = new MockActivityEnvironment();
    const created: string[] = [];
    const activities = createRestoreClusterActivities({
      cluster: 'b',
      kube: fakeKube((path) => {
        created.push(path);
        if (path.includes('/configmaps/')) env.cancel(); // the cancel request arrives after the first object
      }),
      logger: pino({ level: 'silent' }),
      concurrency: 1,
    });
    const spec = { name: 'r1', backupName: 'b1', cluster: 'b', existingResourcePolicy: 'none' } as RestoreCreate;

    const err = await env.run(activities.restoreResources, { spec, vault }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(err).toBeInstanceOf(CancelledFailure);
    expect((err as CancelledFailure).details[0]).toEqual({ totalItems: 5, itemsRestored: 1, errors: [], warnings: [] });
    expect(created).toEqual(['/api/v1/namespaces/shop', '/api/v1/namespaces/shop/configmaps/a']);
    const items = await store.getRestoreItems('r1');
    expect(items).toEqual([expect.objectContaining({ resource: 'configmaps', name: 'a', outcome: 'created' })]);
    // Its log is written too, saying it was cancelled and what it had done per type.
    const log = gunzipSync(await readFile(join(dir, 'restores', 'r1', 'restore-r1-logs.gz'))).toString('utf8');
    expect(log).toMatch(/^time="[^"]+" level=info msg="Starting restore of backup b1" backup=b1 restore=r1$/m);
    expect(log).toMatch(
      /msg="Restored items" created=1 duration=\S+ failed=0 resource=configmaps restore=r1 skipped=0 updated=0$/m,
    );
    expect(log).toMatch(
      /level=warning msg="Restore cancelled: stopped creating; what was created stays" itemsRestored=1 restore=r1 totalItems=5$/m,
    );
    expect(log).not.toMatch(/deployments\.apps/);
  });
});

import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../domain/backup.js';
import type { VaultCreate } from '../domain/vault.js';
import { FilesystemObjectStore } from '../vault/filesystem.js';
import { BackupStore } from '../vault/store.js';
import { createBackupClusterActivities, type BackupPlan } from './backup/cluster.js';
import type { KubeClient } from './kube/client.js';
import { createVaultActivities } from './vault/control.js';
import { createLifecycleActivities } from './vault/lifecycle.js';

// What an agent killed mid-upload left staged in the vault is removed: by the backup's retry
// before it writes, by the failed backup's discard, and by the periodic vault validation by age.

const logger = pino({ level: 'silent' });
let dir: string;
let vault: VaultCreate;
let store: BackupStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'staging-sweep-'));
  vault = { name: 'v', backend: 'filesystem', path: dir };
  store = new BackupStore(await FilesystemObjectStore.create(dir), '');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function staged(): Promise<string[]> {
  const root = join(dir, '.vault-staging');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/** The archive upload of an attempt whose agent died: some bytes staged, never finished. */
async function killedAttempt(backup: string): Promise<void> {
  const mine = () => staged().then((files) => files.filter((f) => f.startsWith(`backups/${backup}/`)));
  const stream = new PassThrough();
  store.putBackupFile(backup, 'contents', stream).catch(() => undefined);
  stream.write(Buffer.alloc(4096, 1));
  for (let i = 0; i < 100 && (await mine()).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  expect(await mine()).toHaveLength(1);
}

const vaults = { get: async (n: string) => (n === 'v' ? vault : undefined), list: async () => [vault] };

describe('staging left by a killed attempt', () => {
  it("is removed by the backup's retry before it writes, and the retry leaves nothing staged", async () => {
    await killedAttempt('b1');
    const activities = createBackupClusterActivities({ cluster: 'a', kube: {} as KubeClient, logger });
    const spec = { name: 'b1', cluster: 'a', vault: 'v' } as unknown as BackupCreate;
    const plan: BackupPlan = {
      namespaces: [],
      selection: { namespaced: [], clusterScoped: [], clusterScopedOnDemand: [], skipped: [], unknown: [] },
      warnings: [],
      errors: [],
    };
    const env = new MockActivityEnvironment({ attempt: 2 });
    await env.run(activities.backupResources, { spec, plan, vault, archiveTime: '2024-05-01T10:00:00Z' });
    expect(await staged()).toEqual([]);
    expect(await store.objects.exists('backups/b1/b1.tar.gz')).toBe(true);
  });

  it("is removed by discardBackup (the failed backup's clean-up), with the backup's other files", async () => {
    await store.putBackupFile('b1', 'logs', Buffer.from('x'));
    await killedAttempt('b1');
    await killedAttempt('b2');
    const activities = createVaultActivities({ vaults, logger });
    await new MockActivityEnvironment().run(activities.discardBackup, { backup: 'b1', vault: 'v' });
    expect(await store.backupExists('b1')).toBe(false);
    expect(await staged()).toEqual([expect.stringMatching(/^backups\/b2\//)]);
  });

  it('is removed by validateVault once older than stagingMaxAgeMinutes; a live upload is kept', async () => {
    const dead = join(dir, '.vault-staging', 'backups', 'b1', 'b1.tar.gz', 'dead-upload');
    await mkdir(join(dead, '..'), { recursive: true });
    await writeFile(dead, 'x');
    const old = new Date(Date.now() - 11 * 60_000);
    await utimes(dead, old, old);
    await killedAttempt('b2'); // written just now: it could be a live upload
    const activities = createLifecycleActivities({ vaults, logger, stagingMaxAgeMinutes: 10 });
    const check = await new MockActivityEnvironment().run(activities.validateVault, { spec: vault });
    expect(check).toEqual({ ok: true, message: null });
    expect(await staged()).toEqual([expect.stringMatching(/^backups\/b2\//)]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VaultCreate } from '../../domain/vault.js';
import { newBackupMetadata, RETAINED_DELETION } from '../../vault/backup-metadata.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';
import { createLifecycleActivities } from './lifecycle.js';

// The retention GC and deletes on an immutable vault. The spec's `immutable` is what the store
// obeys; a filesystem directory stands in for the bucket (the API refuses immutable filesystem
// vaults because a directory cannot enforce retention, which these tests do not need).

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-lifecycle-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

async function immutableVault(): Promise<{ vault: VaultCreate; store: BackupStore }> {
  const path = join(dir, 'locked');
  const vault = { name: 'locked', backend: 'filesystem', path, immutable: { days: 10 } } as VaultCreate;
  return { vault, store: new BackupStore(await FilesystemObjectStore.create(path), '', { retentionDays: 10 }) };
}

async function commit(store: BackupStore, name: string, completedDaysAgo: number, ttlDays: number) {
  const done = Date.now() - completedDaysAgo * DAY;
  await store.commitBackup(
    name,
    newBackupMetadata({
      name,
      storageLocation: 'locked',
      cluster: 'a',
      phase: 'Completed',
      startTimestamp: iso(done - 60_000),
      completionTimestamp: iso(done),
      expiration: iso(done + ttlDays * DAY),
    }),
  );
}

describe('an immutable vault in the lifecycle activities', () => {
  it('the retention GC takes an expired backup, and a retained-deleted one only once its retention ended', async () => {
    const { vault, store } = await immutableVault();
    await commit(store, 'expired-retained', 5, 1); // expired 4 days ago, retained 5 more days
    await commit(store, 'deleted-retained', 5, 30); // deleted early: due when the retention ends
    await store.markDeleted('deleted-retained', RETAINED_DELETION);
    await commit(store, 'deleted-free', 20, 30); // retention ended 10 days ago
    await store.markDeleted('deleted-free', RETAINED_DELETION);
    await commit(store, 'other-cluster', 20, 30); // marked by another cluster (the FAQ): kept
    await store.markDeleted('other-cluster', 'b');
    const gc = createLifecycleActivities({
      vaults: { get: async () => vault, list: async () => [vault] },
      logger: pino({ level: 'silent' }),
    });
    const { backups } = await gc.listExpiredBackups({ asOf: iso(Date.now()), limit: 100 });
    expect(backups.map((b) => b.backup).sort()).toEqual(['deleted-free', 'expired-retained']);
  });

  it('deleting a retained backup marks it and says until when; one past its retention is removed', async () => {
    const { vault, store } = await immutableVault();
    await commit(store, 'young', 1, 30);
    await commit(store, 'old', 20, 30);
    const activities = createLifecycleActivities({
      vaults: { get: async () => vault, list: async () => [vault] },
      logger: pino({ level: 'silent' }),
    });
    const env = new MockActivityEnvironment();
    const kept = await env.run(activities.deleteBackupData, { backup: 'young', vault: 'locked' });
    expect(kept).toEqual({ retainedUntil: expect.stringMatching(/^20\d\d-/) });
    expect(Date.parse((kept as { retainedUntil: string }).retainedUntil)).toBeGreaterThan(Date.now() + 8 * DAY);
    expect(await store.listBackups()).toEqual([
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'old' }) }),
    ]);
    expect(await store.isCommitted('young')).toBe(true);
    expect(await env.run(activities.deleteBackupData, { backup: 'old', vault: 'locked' })).toBeUndefined();
    expect(await store.backupExists('old')).toBe(false);
  });
});

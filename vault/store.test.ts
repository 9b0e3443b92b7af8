import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../domain/errors.js';
import { ArchiveWriter } from './archive.js';
import type { ObjectStore } from './backend.js';
import { BackupAnnotation, newBackupMetadata, type BackupPhase } from './backup-metadata.js';
import { FilesystemObjectStore } from './filesystem.js';
import { ResourceListBuilder } from './resource-list.js';
import { emptyResults, addResult } from './results.js';
import { BackupStore, BackupStoreError } from './store.js';

let dir: string;
let objects: FilesystemObjectStore;
let store: BackupStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-store-'));
  objects = new FilesystemObjectStore(dir);
  store = new BackupStore(objects, 'vaults/a');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function metadata(name: string, phase: BackupPhase = 'Completed') {
  return newBackupMetadata({
    name,
    storageLocation: 'vault-a',
    cluster: 'prod',
    phase,
    startTimestamp: '2024-05-01T10:00:00Z',
    completionTimestamp: '2024-05-01T10:01:00Z',
  });
}

/** Writes a backup's data files the way the backup workflow does, without committing it. */
async function writeFiles(s: BackupStore, name: string): Promise<void> {
  const writer = new ArchiveWriter();
  const upload = s.putBackupFile(name, 'contents', writer.stream);
  await writer.addObject(
    { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
    { preferred: true },
  );
  await writer.finish();
  await upload;
  const list = new ResourceListBuilder();
  list.add({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
  await s.putResourceList(name, list.build());
  await s.putResults(name, emptyResults());
  await s.putBackupFile(name, 'logs', Buffer.from('log'));
}

async function keys(prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const k of objects.list(prefix)) out.push(k);
  return out;
}

describe('commit-last visibility', () => {
  it('a backup whose files are written but not committed is neither listed nor restorable', async () => {
    await writeFiles(store, 'b1');
    expect(await store.backupExists('b1')).toBe(true); // the name is taken
    expect(await store.isCommitted('b1')).toBe(false);
    expect(await store.listBackups()).toEqual([]);
    expect(await store.getBackup('b1')).toBeUndefined();
    await expect(store.openArchive('b1').next()).rejects.toMatchObject({ code: ErrorCode.BackupNotFound });
  });

  it('becomes visible, with its files readable, once velero-backup.json is written', async () => {
    await writeFiles(store, 'b1');
    await store.commitBackup('b1', metadata('b1'));
    expect((await store.listBackups()).map((b) => b.metadata.name)).toEqual(['b1']);
    expect((await store.getBackup('b1'))?.status.phase).toBe('Completed');
    expect(await store.getResourceList('b1')).toEqual({ 'apps/v1/Deployment': ['shop/web'] });
    expect(await store.getResults('b1')).toEqual({ errors: {}, warnings: {} });
    const paths: string[] = [];
    for await (const e of store.openArchive('b1')) paths.push(e.path);
    expect(paths).toEqual([
      'metadata/version',
      'resources/deployments.apps/namespaces/shop/web.json',
      'resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json',
    ]);
  });

  it("writes exactly the files of Velero's layout under the vault prefix", async () => {
    await writeFiles(store, 'b1');
    await store.commitBackup('b1', metadata('b1'));
    expect(await keys()).toEqual([
      'vaults/a/backups/b1/b1-logs.gz',
      'vaults/a/backups/b1/b1-resource-list.json.gz',
      'vaults/a/backups/b1/b1-results.gz',
      'vaults/a/backups/b1/b1.tar.gz',
      'vaults/a/backups/b1/velero-backup.json',
    ]);
    const raw = await readFile(join(dir, 'vaults/a/backups/b1/b1-resource-list.json.gz'));
    expect(JSON.parse(gunzipSync(raw).toString())).toEqual({ 'apps/v1/Deployment': ['shop/web'] });
    const doc = JSON.parse(await readFile(join(dir, 'vaults/a/backups/b1/velero-backup.json'), 'utf8'));
    expect(doc).toMatchObject({ apiVersion: 'velero.io/v1', kind: 'Backup', status: { formatVersion: '1.1.0' } });
  });

  it('refuses metadata that names another backup', async () => {
    await expect(store.commitBackup('b1', metadata('b2'))).rejects.toBeInstanceOf(BackupStoreError);
    expect(await store.isCommitted('b1')).toBe(false);
  });

  it('keeps listing when one backup has unreadable metadata, and says which', async () => {
    await store.commitBackup('good', metadata('good'));
    await objects.put('vaults/a/backups/broken/velero-backup.json', Buffer.from('{"kind":'));
    const unreadable: string[] = [];
    const listed = await store.listBackups({ onUnreadable: (name) => unreadable.push(name) });
    expect(listed.map((b) => b.metadata.name)).toEqual(['good']);
    expect(unreadable).toEqual(['broken']);
  });

  it('lists failed backups too, leaving the restore decision to isRestorable', async () => {
    await store.commitBackup('ok', metadata('ok'));
    await store.commitBackup('bad', metadata('bad', 'Failed'));
    expect((await store.listBackups()).map((b) => [b.metadata.name, b.status.phase])).toEqual([
      ['bad', 'Failed'],
      ['ok', 'Completed'],
    ]);
  });
});

describe('deleting', () => {
  it('markDeleted hides a backup from listing but keeps its data and its name', async () => {
    await writeFiles(store, 'b1');
    await store.commitBackup('b1', metadata('b1'));
    await store.markDeleted('b1', 'cluster-b');
    expect(await store.listBackups()).toEqual([]);
    expect(await store.getBackup('b1')).toBeUndefined();
    const marked = await store.getBackup('b1', { includeDeleted: true });
    expect(marked?.metadata.annotations?.[BackupAnnotation.deletedByCluster]).toBe('cluster-b');
    expect(marked?.metadata.annotations?.[BackupAnnotation.cluster]).toBe('prod');
    expect(await objects.exists(store.layout.backupKey('b1', 'contents'))).toBe(true);
    expect(await store.backupExists('b1')).toBe(true);
  });

  it('markDeleted on a backup that is not committed reports it missing', async () => {
    await writeFiles(store, 'b1');
    await expect(store.markDeleted('b1', 'x')).rejects.toMatchObject({ code: ErrorCode.BackupNotFound });
  });

  it('deleteBackup removes every file of that backup and no other', async () => {
    for (const name of ['b1', 'b10']) {
      await writeFiles(store, name);
      await store.commitBackup(name, metadata(name));
    }
    await store.deleteBackup('b1');
    expect(await store.backupExists('b1')).toBe(false);
    expect((await store.listBackups()).map((b) => b.metadata.name)).toEqual(['b10']);
    expect((await keys()).every((k) => k.startsWith('vaults/a/backups/b10/'))).toBe(true);
  });

  it('a crash mid-delete leaves an unlisted remainder that cleanupPartial removes', async () => {
    await writeFiles(store, 'b1');
    await store.commitBackup('b1', metadata('b1'));
    const crashing: ObjectStore = Object.create(objects, {
      deletePrefix: { value: () => Promise.reject(new Error('worker killed')) },
    });
    await expect(new BackupStore(crashing, 'vaults/a').deleteBackup('b1')).rejects.toThrow('worker killed');
    expect(await store.listBackups()).toEqual([]);
    expect(await store.backupExists('b1')).toBe(true);
    await store.cleanupPartial('b1');
    expect(await keys()).toEqual([]);
  });

  it('cleanupPartial removes an uncommitted backup and refuses a committed one', async () => {
    await writeFiles(store, 'partial');
    await writeFiles(store, 'done');
    await store.commitBackup('done', metadata('done'));
    await store.cleanupPartial('partial');
    expect(await store.backupExists('partial')).toBe(false);
    await expect(store.cleanupPartial('done')).rejects.toMatchObject({ code: ErrorCode.BackupAlreadyExists });
    expect((await keys()).length).toBe(5);
  });
});

describe('restore records', () => {
  it('stores results, per-item outcomes and logs under restores/<name>/, and deletes them', async () => {
    const results = emptyResults();
    addResult(results.errors, 'shop', 'secrets shop/db: already exists');
    await store.putRestoreResults('r1', results);
    await store.putRestoreItems('r1', [
      {
        group: '',
        version: 'v1',
        resource: 'secrets',
        namespace: 'shop',
        name: 'db',
        outcome: 'failed',
        code: 'ItemFailed',
        reason: 'already exists',
      },
      { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web', outcome: 'created' },
    ]);
    await store.putRestoreFile('r1', 'logs', Buffer.from('log'));
    expect(await keys('vaults/a/restores/')).toEqual([
      'vaults/a/restores/r1/restore-r1-items.json.gz',
      'vaults/a/restores/r1/restore-r1-logs.gz',
      'vaults/a/restores/r1/restore-r1-results.gz',
    ]);
    expect(await store.getRestoreResults('r1')).toEqual(results);
    expect((await store.getRestoreItems('r1'))?.map((i) => i.outcome)).toEqual(['failed', 'created']);
    expect(await store.getRestoreItems('r2')).toBeUndefined();
    await store.deleteRestore('r1');
    expect(await keys()).toEqual([]);
  });
});

describe('validate', () => {
  it('accepts an empty vault and one holding only Velero directories and the vault marker', async () => {
    expect(await store.validate()).toEqual({ ok: true });
    await store.commitBackup('b1', metadata('b1'));
    await store.putRestoreFile('r1', 'logs', Buffer.from('x'));
    await objects.put('vaults/a/kopia/shop/repo', Buffer.from('x'));
    await objects.put(store.layout.markerKey(), Buffer.from('{}'));
    expect(await store.validate()).toEqual({ ok: true });
  });

  it("reports foreign top-level directories in Velero's words", async () => {
    await store.commitBackup('b1', metadata('b1'));
    await objects.put('vaults/a/other-directory/file', Buffer.from('x'));
    expect(await store.validate()).toEqual({
      ok: false,
      code: ErrorCode.VaultUnavailable,
      message: 'Backup store contains invalid top-level directories: [other-directory]',
    });
  });

  it('names at most three foreign directories', async () => {
    for (const d of ['d1', 'd2', 'd3', 'd4']) await objects.put(`vaults/a/${d}/x`, Buffer.from('x'));
    const result = await store.validate();
    expect(result).toMatchObject({ message: 'Backup store contains 4 invalid top-level directories: [d1 d2 d3 ...]' });
  });

  it('an outer vault sees a nested vault as foreign content (FAQ: /A and /A/B)', async () => {
    const inner = new BackupStore(objects, '/vaults/a/B/');
    await inner.commitBackup('b1', metadata('b1'));
    expect(await inner.validate()).toEqual({ ok: true });
    expect(await store.validate()).toMatchObject({
      ok: false,
      message: 'Backup store contains invalid top-level directories: [B]',
    });
  });

  it('ignores a stray top-level file, as Velero does', async () => {
    await objects.put('vaults/a/README', Buffer.from('x'));
    expect(await store.validate()).toEqual({ ok: true });
  });

  it('reports an unreachable store with the cause', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, 'x');
    for (const [root, cause] of [
      [file, 'it is not a directory'],
      [join(dir, 'missing'), 'it does not exist'],
    ] as const) {
      const result = await new BackupStore(new FilesystemObjectStore(root), '').validate();
      expect(result).toEqual({
        ok: false,
        code: ErrorCode.VaultUnavailable,
        message: `VaultError: backup vault is unavailable: check backup files in vault directory ${root} failed: ${cause}`,
      });
    }
  });
});

describe('an immutable vault', () => {
  const recent = (name: string) =>
    newBackupMetadata({
      name,
      storageLocation: 'vault-a',
      cluster: 'prod',
      phase: 'Completed',
      startTimestamp: new Date(Date.now() - 60_000).toISOString(),
      completionTimestamp: new Date().toISOString(),
    });
  let locked: BackupStore;
  beforeEach(() => {
    locked = new BackupStore(objects, 'vaults/a', { retentionDays: 7 });
  });

  it('commits once: the same metadata again is accepted, other metadata refused, nothing rewritten', async () => {
    await writeFiles(locked, 'b1');
    const meta = recent('b1');
    await locked.commitBackup('b1', meta);
    const key = join(dir, 'vaults/a/backups/b1/velero-backup.json');
    const written = await readFile(key, 'utf8');
    await locked.commitBackup('b1', meta); // a retried commit activity
    await expect(locked.commitBackup('b1', { ...meta, spec: { ...meta.spec, ttl: '1h0m0s' } })).rejects.toMatchObject({
      code: ErrorCode.BackupAlreadyExists,
    });
    expect(await readFile(key, 'utf8')).toBe(written);
  });

  it('marks a deletion with an object of its own: the metadata stays byte for byte, the backup leaves the list', async () => {
    await writeFiles(locked, 'b1');
    await locked.commitBackup('b1', recent('b1'));
    const key = join(dir, 'vaults/a/backups/b1/velero-backup.json');
    const written = await readFile(key, 'utf8');
    await locked.markDeleted('b1', 'other-cluster');
    expect(await readFile(key, 'utf8')).toBe(written);
    expect(await keys('vaults/a/backups/b1/')).toContain('vaults/a/backups/b1/b1-deleted.json');
    expect(await locked.listBackups()).toEqual([]);
    expect((await locked.listBackups({ includeDeleted: true })).map((b) => b.metadata.name)).toEqual(['b1']);
    const seen = await locked.getBackup('b1', { includeDeleted: true });
    expect(seen?.metadata.annotations?.[BackupAnnotation.deletedByCluster]).toBe('other-cluster');
  });

  it('refuses to delete a backup before its retention ends, removing nothing, and deletes it after', async () => {
    await writeFiles(locked, 'b1');
    await locked.commitBackup('b1', recent('b1'));
    const before = await keys();
    await expect(locked.deleteBackup('b1')).rejects.toThrow(
      /delete backup files from the immutable vault failed: .*the object is under retention \(immutable vault\): backup b1 is retained until 20/,
    );
    expect(await keys()).toEqual(before);
    // A backup committed 2024-05-01 (metadata()), retained 7 days: long since free.
    await writeFiles(locked, 'old');
    await locked.commitBackup('old', metadata('old'));
    await locked.deleteBackup('old');
    expect(await keys('vaults/a/backups/old/')).toEqual([]);
  });

  it('says when a backup is retained until: its commit plus the retention days', () => {
    expect(locked.retainedUntil(metadata('x'))?.toISOString()).toBe('2024-05-08T10:01:00.000Z');
    expect(store.retainedUntil(metadata('x'))).toBeUndefined();
  });
});

import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FilesystemObjectStore } from './filesystem.js';
import { BackupStore } from './store.js';

// A writer killed mid-upload (SIGKILL of an agent) leaves its staged bytes: they must never stay
// for good. Staging is per upload under the object's key, so a backup's retry, discard and delete
// remove its own, and the periodic validation removes any by age.

let dir: string;
let objects: FilesystemObjectStore;
let store: BackupStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-staging-'));
  objects = await FilesystemObjectStore.create(dir);
  store = new BackupStore(objects, '');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under the staging folder, relative to it. */
async function staged(): Promise<string[]> {
  const root = join(dir, '.vault-staging');
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** An upload whose writer stops mid-way, as a killed agent's does: some bytes staged, never finished. */
async function abandonedUpload(backup: string): Promise<{ stream: PassThrough; upload: Promise<void> }> {
  const stream = new PassThrough();
  const upload = store.putBackupFile(backup, 'contents', stream);
  upload.catch(() => undefined);
  stream.write(Buffer.alloc(64 * 1024, 1));
  for (let i = 0; i < 100 && (await staged()).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  return { stream, upload };
}

describe('staging of uploads', () => {
  it('stages an upload under its own key, one file per upload, and leaves nothing once it lands', async () => {
    const { stream, upload } = await abandonedUpload('b1');
    const files = await staged();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^backups\/b1\/b1\.tar\.gz\/[0-9a-f-]{36}$/);
    stream.end();
    await upload;
    expect(await staged()).toEqual([]);
    expect(await objects.exists('backups/b1/b1.tar.gz')).toBe(true);
  });

  it("a retry's discardStaging removes an earlier attempt's staging, which then fails instead of landing", async () => {
    const earlier = await abandonedUpload('b1');
    const other = await abandonedUpload('b2');
    expect(await store.discardStaging('b1')).toBe(1);
    expect(await staged()).toEqual([expect.stringMatching(/^backups\/b2\/b2\.tar\.gz\//)]);
    // The superseded attempt, should it still be alive, cannot put its object in place any more.
    earlier.stream.end();
    await expect(earlier.upload).rejects.toThrow(/ENOENT/);
    expect(await objects.exists('backups/b1/b1.tar.gz')).toBe(false);
    other.stream.end();
    await other.upload;
    expect(await staged()).toEqual([]);
  });

  it("cleanupPartial (a failed backup's discard) and deleteBackup remove the backup's staging too", async () => {
    await abandonedUpload('b1');
    await store.cleanupPartial('b1');
    expect(await staged()).toEqual([]);
    await abandonedUpload('b2');
    await store.deleteBackup('b2');
    expect(await staged()).toEqual([]);
  });

  it('sweepStaleStaging removes staged uploads untouched for the age, of any key and of the former flat layout, and keeps fresh ones', async () => {
    const old = new Date(Date.now() - 2 * 3600_000);
    const dead = join(dir, '.vault-staging', 'backups', 'b1', 'b1-logs.gz', 'dead-upload');
    await mkdir(join(dead, '..'), { recursive: true });
    await writeFile(dead, 'x');
    await utimes(dead, old, old);
    const flat = join(dir, '.vault-staging', '6f1c0c1e-0000-4000-8000-000000000000');
    await writeFile(flat, 'y');
    await utimes(flat, old, old);
    await abandonedUpload('b2'); // live: written just now
    expect(await store.sweepStaleStaging(3600_000)).toBe(2);
    expect(await staged()).toEqual([expect.stringMatching(/^backups\/b2\/b2\.tar\.gz\//)]);
  });

  it('a staged upload is invisible to listings and validation', async () => {
    await abandonedUpload('b1');
    expect(await store.backupExists('b1')).toBe(false);
    expect(await store.validate()).toEqual({ ok: true });
  });
});

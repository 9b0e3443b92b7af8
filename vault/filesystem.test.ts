import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError } from './backend.js';
import { FilesystemObjectStore } from './filesystem.js';
import { objectStoreContract } from './object-store.contract.js';

objectStoreContract('filesystem', async () => {
  const base = await mkdtemp(join(tmpdir(), 'vault-fs-contract-'));
  return {
    store: await FilesystemObjectStore.create(join(base, 'bucket')),
    missingBucket: () => new FilesystemObjectStore(join(base, 'missing')),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
});

let dir: string;
let root: string;
let store: FilesystemObjectStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-fs-'));
  root = join(dir, 'bucket');
  store = await FilesystemObjectStore.create(root);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

// The contract (vault/object-store.contract.ts) covers what every backend does; these are the
// directory's own: files and directories on disk, staging, the root as the bucket.
describe('FilesystemObjectStore', () => {
  it('a missing bucket directory is an error on every operation, not an empty vault', async () => {
    const missing = new FilesystemObjectStore(join(dir, 'typo'));
    const error = /check backup files in vault directory .*typo failed: it does not exist/;
    await expect(missing.listCommonPrefixes('')).rejects.toThrow(error);
    await expect(collect(missing.list('backups/'))).rejects.toThrow(error);
    await expect(missing.get('backups/b1/velero-backup.json')).rejects.toThrow(error);
    await expect(missing.exists('backups/b1/velero-backup.json')).rejects.toThrow(error);
    await expect(missing.put('backups/b1/x', Buffer.from('x'))).rejects.toThrow(error);
    await expect(stat(join(dir, 'typo'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not list empty directories or its own staging area as prefixes', async () => {
    await store.put('backups/b1/a', Buffer.from('a'));
    await mkdir(join(root, 'backups', 'crash-leftover'), { recursive: true });
    expect(await store.listCommonPrefixes('')).toEqual(['backups/']);
    expect(await store.listCommonPrefixes('backups/')).toEqual(['backups/b1/']);
  });

  it('prunes directories when their last object is deleted, and deleting twice is fine', async () => {
    await store.put('backups/b1/a', Buffer.from('a'));
    await store.put('backups/b2/a', Buffer.from('a'));
    await store.delete('backups/b1/a');
    await store.delete('backups/b1/a');
    expect(await store.listCommonPrefixes('backups/')).toEqual(['backups/b2/']);
    await expect(stat(join(root, 'backups', 'b1'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await stat(root)).toBeTruthy();
  });

  describe('atomic writes', () => {
    it('an overwrite in progress leaves the old object readable, whole', async () => {
      await store.put('k/obj', Buffer.from('old'));
      const body = new PassThrough();
      const upload = store.put('k/obj', body);
      body.write('new-half');
      await new Promise((r) => setTimeout(r, 20));
      expect((await store.get('k/obj')).toString()).toBe('old');
      body.end('-rest');
      await upload;
      expect((await store.get('k/obj')).toString()).toBe('new-half-rest');
    });

    it('a failed upload leaves the previous object and no temporary file behind', async () => {
      await store.put('k/obj', Buffer.from('old'));
      const body = new PassThrough();
      const upload = store.put('k/obj', body);
      body.write('partial');
      setTimeout(() => body.destroy(new Error('connection reset')), 10);
      await expect(upload).rejects.toThrow('connection reset');
      expect((await store.get('k/obj')).toString()).toBe('old');
      const staged = await readdir(join(root, '.vault-staging'));
      expect(staged).toEqual([]);
    });
  });

  describe('keys cannot escape the root', () => {
    it('refuses its own staging directory as a key', async () => {
      await expect(store.put('.vault-staging/x', Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.get('.vault-staging/x')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.deletePrefix('.vault-staging/')).rejects.toBeInstanceOf(InvalidKeyError);
    });

    it('writes nothing outside, and refuses escaping prefixes', async () => {
      await writeFile(join(dir, 'outside'), 'precious');
      await expect(store.put('../outside', Buffer.from('overwritten'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.deletePrefix('../')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(collect(store.list('a/../../'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.listCommonPrefixes('../')).rejects.toBeInstanceOf(InvalidKeyError);
      expect((await readdir(dir)).sort()).toEqual(['bucket', 'outside']);
      expect(await readFile(join(dir, 'outside'), 'utf8')).toBe('precious');
    });
  });
});

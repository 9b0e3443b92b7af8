import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError, ObjectNotFoundError } from './backend.js';
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

async function readStream(s: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('FilesystemObjectStore', () => {
  it('stores, reads and streams objects by key', async () => {
    await store.put('backups/b1/velero-backup.json', Buffer.from('{"a":1}'));
    await store.put('backups/b1/b1.tar.gz', Readable.from([Buffer.from('part1-'), Buffer.from('part2')]));
    expect((await store.get('backups/b1/velero-backup.json')).toString()).toBe('{"a":1}');
    expect(await readStream(await store.getStream('backups/b1/b1.tar.gz'))).toBe('part1-part2');
    expect(await store.exists('backups/b1/b1.tar.gz')).toBe(true);
    expect(await store.exists('backups/b1')).toBe(false); // a directory is not an object
    expect(await stat(join(root, 'backups', 'b1', 'b1.tar.gz'))).toBeTruthy();
  });

  it('reports a missing object as ObjectNotFoundError, for get and getStream alike', async () => {
    await expect(store.get('backups/none/velero-backup.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.getStream('backups/none/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await store.put('backups/b1/x', Buffer.from('x'));
    await expect(store.get('backups/b1')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('lists by plain string prefix, like S3', async () => {
    for (const k of ['backups/b1/a', 'backups/b1/b', 'backups/b2/a', 'backups-old/x', 'restores/r1/a']) {
      await store.put(k, Buffer.from(k));
    }
    expect(await collect(store.list('backups/'))).toEqual(['backups/b1/a', 'backups/b1/b', 'backups/b2/a']);
    expect(await collect(store.list('backups/b1'))).toEqual(['backups/b1/a', 'backups/b1/b']);
    expect((await collect(store.list(''))).length).toBe(5);
    expect(await collect(store.list('nothing/'))).toEqual([]);
  });

  it('lists common prefixes with the full prefix and trailing delimiter, as Velero expects', async () => {
    for (const k of ['v/backups/b1/a', 'v/backups/b2/a', 'v/restores/r1/a', 'v/top-file'])
      await store.put(k, Buffer.from(k));
    expect(await store.listCommonPrefixes('v/')).toEqual(['v/backups/', 'v/restores/']);
    expect(await store.listCommonPrefixes('v/backups/')).toEqual(['v/backups/b1/', 'v/backups/b2/']);
    expect(await store.listCommonPrefixes('v/backups/b2')).toEqual(['v/backups/b2/']);
    expect(await store.listCommonPrefixes('v/backups/', '-')).toEqual([]);
    expect(await store.listCommonPrefixes('')).toEqual(['v/']);
  });

  it('an empty bucket lists nothing', async () => {
    expect(await store.listCommonPrefixes('')).toEqual([]);
    expect(await collect(store.list('backups/'))).toEqual([]);
  });

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

  it('deletes every key under a prefix and nothing else', async () => {
    for (const k of ['backups/b1/a', 'backups/b1/b', 'backups/b10/a', 'backups/b2/a'])
      await store.put(k, Buffer.from(k));
    await store.deletePrefix('backups/b1/');
    expect(await collect(store.list(''))).toEqual(['backups/b10/a', 'backups/b2/a']);
  });

  describe('atomic writes', () => {
    it('a reader never sees an object whose upload has not finished', async () => {
      const body = new PassThrough();
      const upload = store.put('backups/b1/b1.tar.gz', body);
      body.write(Buffer.alloc(64 * 1024, 1));
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.exists('backups/b1/b1.tar.gz')).toBe(false);
      await expect(store.get('backups/b1/b1.tar.gz')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await collect(store.list(''))).toEqual([]);
      body.end(Buffer.alloc(1024, 2));
      await upload;
      expect((await store.get('backups/b1/b1.tar.gz')).length).toBe(65 * 1024);
    });

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
    const bad = ['../outside', 'a/../../outside', '/etc/passwd', 'a//b', 'a/./b', '', '..', '.vault-staging/x', 'a\0b'];

    it.each(bad)('refuses %j on every operation', async (key) => {
      await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.getStream(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
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

    it('a refused streaming upload releases its producer', async () => {
      const body = new PassThrough();
      await expect(store.put('../x', body)).rejects.toBeInstanceOf(InvalidKeyError);
      expect(body.destroyed).toBe(true);
    });
  });
});

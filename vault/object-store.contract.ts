// The behaviour every ObjectStore backend owes the vault, as one suite each backend's test file runs
// against its own store (filesystem, S3 against versitygw, OSS against the local OSS server). A
// vault must not behave differently because of where its bytes live.

import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from './backend.js';

export interface ContractSubject {
  store: ObjectStore;
  /** A store of the same backend and credentials whose bucket does not exist. */
  missingBucket(): ObjectStore;
  cleanup(): Promise<void>;
}

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const k of it) out.push(k);
  return out;
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Runs the contract against a fresh subject per test. */
export function objectStoreContract(backend: string, subject: () => Promise<ContractSubject>): void {
  describe(`ObjectStore contract: ${backend}`, () => {
    let s: ContractSubject;
    let store: ObjectStore;
    beforeEach(async () => {
      s = await subject();
      store = s.store;
    });
    afterEach(async () => {
      await s.cleanup();
    });

    it('stores, reads and streams objects by key', async () => {
      await store.put('backups/b1/velero-backup.json', Buffer.from('{"a":1}'));
      await store.put('backups/b1/b1.tar.gz', Readable.from([Buffer.from('part1-'), Buffer.from('part2')]));
      expect((await store.get('backups/b1/velero-backup.json')).toString()).toBe('{"a":1}');
      expect((await readAll(await store.getStream('backups/b1/b1.tar.gz'))).toString()).toBe('part1-part2');
      expect(await store.exists('backups/b1/b1.tar.gz')).toBe(true);
      expect(await store.exists('backups/b1')).toBe(false); // a prefix is not an object
    });

    it('stores an empty object', async () => {
      await store.put('restores/r1/empty', Buffer.alloc(0));
      expect(await store.exists('restores/r1/empty')).toBe(true);
      expect((await store.get('restores/r1/empty')).length).toBe(0);
    });

    it('reports a missing object as ObjectNotFoundError, for get and getStream alike', async () => {
      await expect(store.get('backups/none/velero-backup.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.getStream('backups/none/x')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await store.exists('backups/none/x')).toBe(false);
    });

    it('overwrites an object whole', async () => {
      await store.put('k/obj', Buffer.from('old and longer'));
      await store.put('k/obj', Buffer.from('new'));
      expect((await store.get('k/obj')).toString()).toBe('new');
    });

    it('lists by plain string prefix, sorted, like S3', async () => {
      for (const k of ['backups/b2/a', 'backups/b1/b', 'backups/b1/a', 'backups-old/x', 'restores/r1/a']) {
        await store.put(k, Buffer.from(k));
      }
      expect(await collect(store.list('backups/'))).toEqual(['backups/b1/a', 'backups/b1/b', 'backups/b2/a']);
      expect(await collect(store.list('backups/b1'))).toEqual(['backups/b1/a', 'backups/b1/b']);
      expect((await collect(store.list(''))).length).toBe(5);
      expect(await collect(store.list('nothing/'))).toEqual([]);
    });

    it('lists more keys than one page of the service holds', async () => {
      const keys = Array.from({ length: 1203 }, (_, i) => `backups/many/${String(i).padStart(5, '0')}`);
      const pending = [...keys];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let k = pending.pop(); k !== undefined; k = pending.pop()) await store.put(k, Buffer.from('x'));
        }),
      );
      expect(await collect(store.list('backups/many/'))).toEqual(keys);
      await store.deletePrefix('backups/many/');
      expect(await collect(store.list('backups/'))).toEqual([]);
    }, 60_000); // 1,203 uploads: slow on a busy machine, and for a filesystem that syncs each

    it('lists common prefixes with the full prefix and trailing delimiter, as Velero expects', async () => {
      for (const k of ['v/backups/b1/a', 'v/backups/b2/a', 'v/restores/r1/a', 'v/top-file'])
        await store.put(k, Buffer.from(k));
      expect(await store.listCommonPrefixes('v/')).toEqual(['v/backups/', 'v/restores/']);
      expect(await store.listCommonPrefixes('v/backups/')).toEqual(['v/backups/b1/', 'v/backups/b2/']);
      expect(await store.listCommonPrefixes('v/backups/b2')).toEqual(['v/backups/b2/']);
      expect(await store.listCommonPrefixes('')).toEqual(['v/']);
    });

    it('an empty bucket lists nothing', async () => {
      expect(await store.listCommonPrefixes('')).toEqual([]);
      expect(await collect(store.list('backups/'))).toEqual([]);
    });

    it('deleting a missing key succeeds; deletePrefix removes every key under it and no other', async () => {
      await store.delete('backups/none/x');
      for (const k of ['backups/b1/a', 'backups/b1/b', 'backups/b10/a', 'backups/b2/a'])
        await store.put(k, Buffer.from(k));
      await store.delete('backups/b2/a');
      await store.delete('backups/b2/a');
      await store.deletePrefix('backups/b1/');
      expect(await collect(store.list(''))).toEqual(['backups/b10/a']);
      expect(await store.listCommonPrefixes('backups/')).toEqual(['backups/b10/']);
    });

    it('moves a large streamed object (multipart where the backend has it) byte for byte', async () => {
      const data = randomBytes(13 * 1024 * 1024 + 17);
      const chunks = Array.from({ length: Math.ceil(data.length / 65536) }, (_, i) =>
        data.subarray(i * 65536, (i + 1) * 65536),
      );
      await store.put('backups/big/big.tar.gz', Readable.from(chunks));
      const back = await readAll(await store.getStream('backups/big/big.tar.gz'));
      expect(back.length).toBe(data.length);
      expect(sha256(back)).toBe(sha256(data));
    });

    it('a reader never sees an object whose upload has not finished', async () => {
      const body = new PassThrough();
      const upload = store.put('backups/b1/b1.tar.gz', body);
      body.write(Buffer.alloc(64 * 1024, 1));
      await new Promise((r) => setTimeout(r, 50));
      expect(await store.exists('backups/b1/b1.tar.gz')).toBe(false);
      await expect(store.get('backups/b1/b1.tar.gz')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await collect(store.list(''))).toEqual([]);
      body.end(Buffer.alloc(1024, 2));
      await upload;
      expect((await store.get('backups/b1/b1.tar.gz')).length).toBe(65 * 1024);
    });

    it('a failed upload leaves the previous object whole, and nothing staged after a sweep', async () => {
      await store.put('k/obj', Buffer.from('old'));
      const body = new PassThrough();
      const upload = store.put('k/obj', body);
      body.write(Buffer.alloc(6 * 1024 * 1024, 7)); // past one multipart part
      setTimeout(() => body.destroy(new Error('connection reset')), 50);
      await expect(upload).rejects.toThrow();
      expect((await store.get('k/obj')).toString()).toBe('old');
      await store.sweepStaging({ prefix: 'k/' });
      expect(await collect(store.list(''))).toEqual(['k/obj']);
    });

    describe('keys mean the same on every backend', () => {
      const bad = ['../outside', 'a/../../outside', '/etc/passwd', 'a//b', 'a/./b', '', '..', 'a\0b'];

      it.each(bad)('refuses %j on every operation', async (key) => {
        await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.getStream(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
      });

      it('refuses escaping prefixes, and a refused streaming upload releases its producer', async () => {
        await expect(store.deletePrefix('../')).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(collect(store.list('a/../../'))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.listCommonPrefixes('../')).rejects.toBeInstanceOf(InvalidKeyError);
        const body = new PassThrough();
        await expect(store.put('../x', body)).rejects.toBeInstanceOf(InvalidKeyError);
        expect(body.destroyed).toBe(true);
      });
    });

    it('a missing bucket is an error naming it on every operation, not an empty vault', async () => {
      const missing = s.missingBucket();
      const fails = async (p: Promise<unknown>) => {
        const err = await p.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ObjectStoreError);
        expect((err as ObjectStoreError).failure).toBe('BucketNotFound');
        expect((err as ObjectStoreError).message).toMatch(/does not exist/);
      };
      await fails(missing.listCommonPrefixes(''));
      await fails(collect(missing.list('backups/')));
      await fails(missing.get('backups/b1/velero-backup.json'));
      await fails(missing.exists('backups/b1/velero-backup.json'));
      await fails(missing.put('backups/b1/x', Buffer.from('x')));
      await fails(missing.inspect());
    });
  });
}

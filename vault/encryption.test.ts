import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EncryptedObjectStore, keyId, loadKeyRing, parseKeyRing, type KeyRing } from './encryption.js';
import { FilesystemObjectStore } from './filesystem.js';
import { objectStoreContract } from './object-store.contract.js';

const keyLine = () => randomBytes(32).toString('base64');

objectStoreContract('filesystem, encrypted', async () => {
  const base = await mkdtemp(join(tmpdir(), 'vault-enc-contract-'));
  const ring = parseKeyRing('k', keyLine());
  return {
    store: new EncryptedObjectStore(await FilesystemObjectStore.create(join(base, 'bucket')), ring),
    missingBucket: () => new EncryptedObjectStore(new FilesystemObjectStore(join(base, 'missing')), ring),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
});

describe('client-side encryption', () => {
  let dir: string;
  let plain: FilesystemObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-enc-'));
    plain = await FilesystemObjectStore.create(join(dir, 'bucket'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const secret = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

  it('stores no plaintext: the bytes in the bucket hold neither the Secret nor its value', async () => {
    const store = new EncryptedObjectStore(plain, parseKeyRing('k', keyLine()));
    await store.put('backups/b/b.tar.gz', Readable.from([secret, secret]));
    await store.put('backups/b/velero-backup.json', secret);
    for (const key of ['backups/b/b.tar.gz', 'backups/b/velero-backup.json']) {
      const raw = await readFile(join(dir, 'bucket', key));
      expect(raw.includes(Buffer.from('aHVudGVyMg=='))).toBe(false);
      expect(raw.includes(Buffer.from('Secret'))).toBe(false);
    }
    expect(await store.get('backups/b/velero-backup.json')).toEqual(secret);
    expect(await store.get('backups/b/b.tar.gz')).toEqual(Buffer.concat([secret, secret]));
  });

  it('rotates: the newest key writes, and objects of the older key stay readable', async () => {
    const oldKey = keyLine();
    const before = new EncryptedObjectStore(plain, parseKeyRing('k', oldKey));
    await before.put('a', Buffer.from('written with the old key'));
    const rotated = parseKeyRing('k', `${oldKey}\n# rotated 2026-12-02\n${keyLine()}\n`);
    const after = new EncryptedObjectStore(plain, rotated);
    await after.put('b', Buffer.from('written with the new key'));
    expect((await after.get('a')).toString()).toBe('written with the old key');
    expect((await after.get('b')).toString()).toBe('written with the new key');
    const header = await readFile(join(dir, 'bucket', 'b'));
    expect(header.includes(Buffer.from(rotated.current.id))).toBe(true);
    await expect(before.get('b')).rejects.toThrow(
      `cannot decrypt b: it was encrypted with key ${rotated.current.id}, which key ring k does not hold`,
    );
  });

  it('refuses a wrong key on the first chunk, before releasing a byte', async () => {
    const store = new EncryptedObjectStore(plain, parseKeyRing('k', keyLine()));
    await store.put('big', Readable.from([randomBytes(3 * 256 * 1024 + 5)]));
    // Same id, other bytes: what a damaged or substituted key file does.
    const { id } = (await store.keyRing()).current;
    const wrong: KeyRing = {
      ref: 'k',
      current: { id, bytes: randomBytes(32) },
      byId: new Map([[id, { id, bytes: randomBytes(32) }]]),
    };
    const reader = await new EncryptedObjectStore(plain, wrong).getStream('big');
    let released = 0;
    await expect(
      (async () => {
        for await (const c of reader) released += (c as Buffer).length;
      })(),
    ).rejects.toThrow('cannot decrypt big with key ring k: a chunk fails authentication (altered)');
    expect(released).toBe(0);
  });

  it('detects truncation, an altered byte and a plaintext object', async () => {
    const store = new EncryptedObjectStore(plain, parseKeyRing('k', keyLine()));
    const data = randomBytes(2 * 256 * 1024);
    await store.put('t', data);
    const path = join(dir, 'bucket', 't');
    const sealed = await readFile(path);
    await writeFile(path, sealed.subarray(0, sealed.length - 256 * 1024 - 16));
    await expect(store.get('t')).rejects.toThrow(/truncated or altered/);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 100]! ^= 1;
    await writeFile(path, flipped);
    await expect(store.get('t')).rejects.toThrow(/truncated or altered/);
    await plain.put('p', Buffer.from('{"not":"sealed"}'));
    await expect(store.get('p')).rejects.toThrow('it is not encrypted, but the vault encrypts every object');
  });

  it('seals chunk boundaries exactly: empty, one chunk, one chunk and a byte', async () => {
    const store = new EncryptedObjectStore(plain, parseKeyRing('k', keyLine()));
    for (const size of [0, 1, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 512 * 1024]) {
      const data = randomBytes(size);
      await store.put(`s/${size}`, Readable.from(size === 0 ? [] : [data.subarray(0, 7), data.subarray(7)]));
      expect((await store.get(`s/${size}`)).equals(data)).toBe(true);
    }
  });

  it('reads key rings in base64 or hex, names the bad line, and names a missing ring', async () => {
    const bytes = randomBytes(32);
    expect(parseKeyRing('k', bytes.toString('hex')).current.id).toBe(keyId(bytes));
    expect(() => parseKeyRing('k', 'c2hvcnQ=')).toThrow('key ring k: line 1 is not a 256-bit key in base64 or hex');
    expect(() => parseKeyRing('k', '# nothing\n')).toThrow('key ring k holds no key');
    await expect(loadKeyRing(dir, 'absent')).rejects.toThrow(
      `key ring absent not found: no file ${join(dir, 'absent')} (config keysDir)`,
    );
  });
});

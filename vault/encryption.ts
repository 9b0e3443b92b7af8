// Client-side encryption of a vault: every object is sealed with AES-256-GCM before it reaches the
// backend, so neither the store's operator nor anyone reading the bucket sees a Secret.
//
// An object is a header naming its key, then the plaintext in chunks of CHUNK bytes, each sealed
// on its own (the STREAM construction: nonce = random prefix || chunk counter, the last chunk
// flagged in its associated data). A reader releases each chunk only once it is authenticated,
// so a restore reading with a wrong key fails on the first chunk, before anything reaches a
// cluster; a truncated or reordered object fails too. The header records the key's id, so a key
// ring can rotate: the newest key writes, older ones still read what they wrote.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { ErrorCode, TaskError } from '../domain/errors.js';
import type { BucketFacts, ObjectStore, StagingSweep } from './backend.js';

const MAGIC = Buffer.from('BCSEAL1\n');
const CHUNK = 256 * 1024;
const TAG = 16;
const NONCE_PREFIX = 8;

export interface EncryptionKey {
  /** Derived from the key itself: the same key has the same id on every machine. */
  id: string;
  bytes: Buffer;
}

export interface KeyRing {
  ref: string;
  /** The newest key: every write uses it. */
  current: EncryptionKey;
  byId: ReadonlyMap<string, EncryptionKey>;
}

export function keyId(bytes: Buffer): string {
  return createHash('sha256').update('backup-center vault key\n').update(bytes).digest('hex').slice(0, 16);
}

function keyError(message: string): TaskError {
  return new TaskError(ErrorCode.EncryptionKey, message);
}

/** Keys one a line, base64 or hex of 32 bytes; `#` comments and blank lines skipped; the last line writes. */
export function parseKeyRing(ref: string, text: string): KeyRing {
  const keys: EncryptionKey[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const bytes = /^[0-9a-fA-F]{64}$/.test(line) ? Buffer.from(line, 'hex') : Buffer.from(line, 'base64');
    if (bytes.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(line) && bytes.toString('base64') !== line))
      throw keyError(`key ring ${ref}: line ${i + 1} is not a 256-bit key in base64 or hex`);
    keys.push({ id: keyId(bytes), bytes });
  });
  const current = keys.at(-1);
  if (current === undefined) throw keyError(`key ring ${ref} holds no key`);
  return { ref, current, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** The key ring `<keysDir>/<ref>`; a missing file is the vault's unavailability, named. */
export async function loadKeyRing(keysDir: string, ref: string): Promise<KeyRing> {
  let text: string;
  try {
    text = await readFile(join(keysDir, ref), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw keyError(
      code === 'ENOENT'
        ? `key ring ${ref} not found: no file ${join(keysDir, ref)} (config keysDir)`
        : `key ring ${ref} cannot be read: ${(err as Error).message}`,
    );
  }
  return parseKeyRing(ref, text);
}

function header(key: EncryptionKey, noncePrefix: Buffer): Buffer {
  return Buffer.concat([MAGIC, Buffer.from([key.id.length]), Buffer.from(key.id, 'ascii'), noncePrefix]);
}

function nonce(prefix: Buffer, counter: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, NONCE_PREFIX);
  return n;
}

function seal(key: Buffer, aad: Buffer, prefix: Buffer, counter: number, last: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce(prefix, counter));
  cipher.setAAD(Buffer.concat([aad, Buffer.from([last ? 1 : 0])]));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Seals a stream: header, then each full chunk once the next byte shows it is not the last. */
export class SealStream extends Transform {
  private readonly key: EncryptionKey;
  private readonly prefix = randomBytes(NONCE_PREFIX);
  private readonly aad: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private counter = 0;

  constructor(key: EncryptionKey) {
    super();
    this.key = key;
    this.aad = header(key, this.prefix);
    this.push(this.aad);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: only the end of input decides which chunk is the last.
    while (this.pendingBytes > CHUNK) {
      const all = Buffer.concat(this.pending);
      this.push(seal(this.key.bytes, this.aad, this.prefix, this.counter++, false, all.subarray(0, CHUNK)));
      this.pending = [all.subarray(CHUNK)];
      this.pendingBytes = all.length - CHUNK;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.push(seal(this.key.bytes, this.aad, this.prefix, this.counter, true, Buffer.concat(this.pending)));
    done();
  }
}

/** Opens a sealed stream, releasing each chunk only once it is authenticated. */
export class OpenStream extends Transform {
  private buffered: Buffer = Buffer.alloc(0);
  private aad?: Buffer;
  private prefix?: Buffer;
  private key?: EncryptionKey;
  private counter = 0;

  constructor(
    private readonly ring: KeyRing,
    private readonly objectKey: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    try {
      if (this.key === undefined && !this.readHeader()) return done();
      while (this.buffered.length > CHUNK + TAG) {
        this.push(this.open(this.buffered.subarray(0, CHUNK + TAG), false));
        this.buffered = this.buffered.subarray(CHUNK + TAG);
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.key === undefined && !this.readHeader()) throw this.failure('it ends inside its header');
      if (this.buffered.length < TAG) throw this.failure('it is truncated');
      this.push(this.open(this.buffered, true));
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** False while the header has not fully arrived. */
  private readHeader(): boolean {
    const b = this.buffered;
    if (b.length < MAGIC.length + 1) return false;
    if (!b.subarray(0, MAGIC.length).equals(MAGIC))
      throw this.failure('it is not encrypted, but the vault encrypts every object');
    const idLength = b[MAGIC.length]!;
    const end = MAGIC.length + 1 + idLength + NONCE_PREFIX;
    if (b.length < end) return false;
    const id = b.subarray(MAGIC.length + 1, MAGIC.length + 1 + idLength).toString('ascii');
    const key = this.ring.byId.get(id);
    if (key === undefined)
      throw keyError(
        `cannot decrypt ${this.objectKey}: it was encrypted with key ${id}, which key ring ${this.ring.ref} does not hold`,
      );
    this.key = key;
    this.aad = b.subarray(0, end);
    this.prefix = b.subarray(end - NONCE_PREFIX, end);
    this.buffered = b.subarray(end);
    return true;
  }

  private open(sealed: Buffer, last: boolean): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.key!.bytes, nonce(this.prefix!, this.counter++));
    decipher.setAAD(Buffer.concat([this.aad!, Buffer.from([last ? 1 : 0])]));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
    } catch {
      throw this.failure(
        last ? 'its last chunk fails authentication (truncated or altered)' : 'a chunk fails authentication (altered)',
      );
    }
  }

  private failure(why: string): TaskError {
    return keyError(`cannot decrypt ${this.objectKey} with key ring ${this.ring.ref}: ${why}`);
  }
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An ObjectStore that seals every object on the way in and opens it on the way out. */
export class EncryptedObjectStore implements ObjectStore {
  private loading?: Promise<KeyRing>;

  /** `ring` may be a loader: it runs at the first read or write, once (again after a failure). */
  constructor(
    readonly inner: ObjectStore,
    private readonly ring: KeyRing | (() => Promise<KeyRing>),
  ) {}

  async keyRing(): Promise<KeyRing> {
    if (typeof this.ring !== 'function') return this.ring;
    this.loading ??= this.ring().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    let ring: KeyRing;
    try {
      ring = await this.keyRing();
    } catch (err) {
      if (!Buffer.isBuffer(body)) body.destroy();
      throw err;
    }
    const seal = new SealStream(ring.current);
    const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
    source.on('error', (err) => seal.destroy(err));
    try {
      await this.inner.put(key, source.pipe(seal));
    } catch (err) {
      // A refused upload must release its producer, as every backend's put does.
      if (!source.destroyed) source.destroy();
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    return drain(await this.getStream(key));
  }

  async getStream(key: string): Promise<Readable> {
    const ring = await this.keyRing();
    const sealed = await this.inner.getStream(key);
    const open = new OpenStream(ring, key);
    sealed.on('error', (err) => open.destroy(err));
    return sealed.pipe(open);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }

  listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]> {
    return this.inner.listCommonPrefixes(prefix, delimiter);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.inner.deletePrefix(prefix);
  }

  sweepStaging(options: StagingSweep): Promise<number> {
    return this.inner.sweepStaging(options);
  }

  inspect(): Promise<BucketFacts> {
    return this.inner.inspect();
  }
}

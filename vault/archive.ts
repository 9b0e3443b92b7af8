// The backup tarball, `<backup>.tar.gz`, written and read as a stream. A cluster can hold far
// more objects than fit in memory, so the writer emits each entry as it is added and waits while
// the upload lags (backpressure), and the reader yields one entry at a time.
//
// Entry format as Velero writes it (pkg/backup/backup.go, item_backupper.go): `metadata/version`
// first, holding the format version and a newline; then one regular-file entry per object path,
// no directory entries; each object as JSON.

import type { Readable } from 'node:stream';
import { createGunzip, createGzip, type ZlibOptions } from 'node:zlib';
import tar from 'tar-stream';
import type { KubeObject, ResourceRef } from '../resources/types.js';
import {
  archiveItemPaths,
  BACKUP_FORMAT_VERSION,
  FORMAT_VERSION_PATH,
  parseArchivePath,
  type ArchiveItemPath,
} from './layout.js';
import { END_OF_ARCHIVE, fileHeader, padding } from './tar-header.js';

export interface ArchiveObjectOptions {
  /** The object is the source cluster's preferred version of its group. */
  preferred: boolean;
}

/**
 * Usage: start consuming `stream` (e.g. `store.putBackupFile(name, 'contents', writer.stream)`)
 * before awaiting many `addObject` calls; they wait for the consumer, so an unread stream
 * stalls the producer rather than filling memory.
 */
export class ArchiveWriter {
  /** The tar.gz bytes. */
  readonly stream: Readable;
  // A deep write buffer lets zlib (on the thread pool) compress while the next entries are framed.
  private readonly gzip = createGzip(GZIP_OPTIONS);
  private readonly mtime: Date;
  private failure: Error | undefined;
  private readonly failed: Promise<never>;
  private finished = false;
  private entryCount = 0;
  // Entries are framed here and handed to gzip in chunks of at least CHUNK bytes: each write to a
  // zlib stream is a round trip to the thread pool, and entries are small.
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(options: { mtime?: Date } = {}) {
    this.mtime = options.mtime ?? new Date();
    const gzip = this.gzip;
    this.stream = gzip;
    let fail!: (err: Error) => void;
    this.failed = new Promise<never>((_, reject) => (fail = reject));
    this.failed.catch(() => undefined); // observed through addObject/finish, not as unhandled
    const onFailure = (err: Error) => {
      if (this.failure) return;
      this.failure = err;
      fail(err);
      if (!gzip.destroyed) gzip.destroy(err);
    };
    gzip.on('error', onFailure);
    // The consumer going away early (an aborted upload) must release a producer waiting on a full buffer.
    gzip.on('close', () => {
      if (!gzip.writableFinished) onFailure(new Error('archive stream closed before the archive was finished'));
    });
    this.frame(FORMAT_VERSION_PATH, Buffer.from(`${BACKUP_FORMAT_VERSION}\n`));
  }

  /** Entries written so far, `metadata/version` included. */
  get entries(): number {
    return this.entryCount;
  }

  /**
   * Adds one object as fetched at `ref.version`. Call once per served version; the preferred
   * one is also written to the legacy unversioned path, as Velero does. Resolves once the
   * consumer has room, so an unread stream stalls the producer rather than filling memory.
   */
  async addObject(ref: ResourceRef, object: KubeObject, options: ArchiveObjectOptions): Promise<void> {
    if (this.finished) throw new Error('archive already finished');
    if (this.failure) throw this.failure;
    const body = Buffer.from(JSON.stringify(object));
    for (const path of archiveItemPaths(ref, options.preferred)) this.frame(path, body);
    if (this.pendingBytes >= CHUNK) await this.flush();
  }

  /** Ends the archive; resolves once every byte is handed to the stream's consumer. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.finished) return;
    this.finished = true;
    const ended = new Promise<void>((resolve) => this.stream.once('end', () => resolve()));
    this.pending.push(END_OF_ARCHIVE);
    this.pendingBytes += END_OF_ARCHIVE.length;
    await this.flush();
    this.gzip.end();
    await Promise.race([ended, this.failed]);
  }

  /** Abandons the archive; the stream errors, so an upload in progress fails instead of committing a truncated file. */
  abort(reason: Error = new Error('archive aborted')): void {
    this.finished = true;
    this.stream.destroy(reason);
  }

  private frame(path: string, body: Buffer): void {
    this.pending.push(fileHeader(path, body.length, this.mtime), body, padding(body.length));
    this.pendingBytes += body.length + 512 + ((512 - (body.length % 512)) % 512);
    this.entryCount++;
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.gzip.write(chunk)) {
      await Promise.race([new Promise<void>((resolve) => this.gzip.once('drain', () => resolve())), this.failed]);
    }
  }
}

const CHUNK = 256 * 1024;
// zlib streams take stream options too (their typings do not say so).
const GZIP_OPTIONS: ZlibOptions & { writableHighWaterMark: number } = { writableHighWaterMark: 4 * CHUNK };

export type ArchiveEntry =
  | { kind: 'formatVersion'; path: string; formatVersion: string }
  | { kind: 'object'; path: string; item: ArchiveItemPath; object: KubeObject }
  /** Anything else (Velero plugins add files); its content is skipped. */
  | { kind: 'other'; path: string };

/** Yields the entries of a tar.gz stream one at a time; breaking out of the loop stops reading. */
export async function* readArchive(source: Readable): AsyncGenerator<ArchiveEntry> {
  const gunzip = createGunzip();
  const extract = tar.extract();
  source.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', (err) => extract.destroy(err));
  source.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) {
      const path = entry.header.name.replace(/^\.\//, '');
      const type = entry.header.type ?? 'file';
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if (path === FORMAT_VERSION_PATH) {
        yield { kind: 'formatVersion', path, formatVersion: (await readAll(entry)).toString('utf8').trim() };
        continue;
      }
      const item = parseArchivePath(path);
      if (!item) {
        entry.resume();
        yield { kind: 'other', path };
        continue;
      }
      const body = await readAll(entry);
      let object: KubeObject;
      try {
        object = JSON.parse(body.toString('utf8')) as KubeObject;
      } catch (err) {
        throw new Error(`archive entry ${path} is not valid JSON: ${(err as Error).message}`);
      }
      yield { kind: 'object', path, item, object };
    }
  } finally {
    // Also reached when the consumer stops early: stop reading the source.
    source.unpipe(gunzip);
    gunzip.destroy();
    source.destroy();
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

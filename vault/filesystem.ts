// The embedded default backend: a local directory standing in for a bucket, key `a/b/c` at
// `<root>/a/b/c`. Directories exist only as a side effect of keys, as on S3: they are created on
// put and pruned when their last object goes, so an emptied backup leaves no listed prefix behind.
//
// The root plays the bucket: it must exist, as a bucket must, so a mistyped path reports the vault
// unavailable instead of quietly serving an empty vault (create it with FilesystemObjectStore.create).
//
// Limitation of mapping keys to files: `a/b` and `a/b/c` cannot both exist (S3 allows it). The
// vault layout never needs both.

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkKey as checkSharedKey,
  checkPrefix as checkSharedPrefix,
  InvalidKeyError,
  ObjectNotFoundError,
  ObjectStoreError,
  type BucketFacts,
  type ObjectStore,
  type StagingSweep,
} from './backend.js';

// Uploads land here first and are renamed into place, so a reader never opens a half-written
// object. Same file system as the objects, so the rename is atomic. Hidden from listings.
// Each upload is staged under its own key, `.vault-staging/<key>/<upload>`, so what a writer
// killed mid-upload left behind is found by key (a backup's retry and discard sweep
// `backups/<name>/`) and, whoever left it, by age (sweepStaging; the vault validation runs it).
const STAGING_DIR = '.vault-staging';

export class FilesystemObjectStore implements ObjectStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Creates the root directory if needed: making the bucket. */
  static async create(root: string): Promise<FilesystemObjectStore> {
    const store = new FilesystemObjectStore(root);
    await mkdir(store.root, { recursive: true });
    return store;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    let tmp: string | undefined;
    try {
      const target = this.pathOf(key);
      tmp = this.stagingPathOf(key);
      await this.checkRoot();
      const file = await openStaging(tmp);
      if (Buffer.isBuffer(body)) {
        try {
          await file.writeFile(body);
          await file.sync();
        } finally {
          await file.close();
        }
      } else {
        await pipeline(body, createWriteStream('', { fd: file, flush: true }));
      }
      await this.moveIntoPlace(tmp, target);
    } catch (err) {
      // A producer blocked on backpressure must learn that nobody will read the rest. No error
      // argument: the caller may not listen for 'error' on its own stream, and it has ours.
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      if (tmp !== undefined) await rm(tmp, { force: true });
      throw err;
    } finally {
      if (tmp !== undefined) await this.pruneEmptyParents(dirname(tmp), join(this.root, STAGING_DIR));
    }
  }

  /** A directory has no storage class and cannot enforce retention. */
  async inspect(): Promise<BucketFacts> {
    await this.checkRoot();
    return {};
  }

  async sweepStaging({ prefix, olderThanMs }: StagingSweep): Promise<number> {
    checkPrefix(prefix);
    const cutoff = olderThanMs === undefined ? undefined : Date.now() - olderThanMs;
    const stale = async (path: string) => {
      if (cutoff === undefined) return true;
      const info = await stat(path).catch(() => undefined);
      return info !== undefined && info.mtimeMs <= cutoff;
    };
    let removed = 0;
    // `keyDir`: the key a staging directory stands for, with a trailing '/' ('' at the staging root).
    const sweep = async (dir: string, keyDir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory()) {
          const sub = `${keyDir}${e.name}/`;
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) await sweep(path, sub);
        } else if (keyDir.slice(0, -1).startsWith(prefix) && (await stale(path))) {
          // An upload of key `keyDir` without its '/' (at the root: one of the former flat layout).
          await rm(path, { force: true });
          removed++;
        }
      }
      // Directories only for keys under the prefix: a put of another key may be creating a shared parent.
      if (keyDir !== '' && keyDir.startsWith(prefix) && (await stale(dir))) await rmdir(dir).catch(() => undefined);
    };
    const dirKey = dirKeyOf(prefix);
    await sweep(join(this.root, STAGING_DIR, ...dirKey.split('/').filter((s) => s !== '')), dirKey);
    return removed;
  }

  /** A fresh staging file for one upload of `key` (checked by pathOf first). */
  private stagingPathOf(key: string): string {
    return join(this.root, STAGING_DIR, ...key.split('/'), randomUUID());
  }

  async get(key: string): Promise<Buffer> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (err) {
      throw await this.notFoundOr(err, key);
    }
  }

  async getStream(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    // Open first so a missing key fails here rather than as a stream error later.
    const file = await open(path, 'r').catch(async (err: unknown) => {
      throw await this.notFoundOr(err, key);
    });
    if (!(await file.stat()).isFile()) {
      await file.close();
      throw new ObjectNotFoundError(key);
    }
    return file.createReadStream();
  }

  async exists(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      if (!isMissing(err)) throw err;
      await this.checkRoot();
      return false;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    yield* this.walk(dirKeyOf(prefix), prefix);
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    checkPrefix(prefix);
    if (delimiter !== '/') return this.commonPrefixesByScan(prefix, delimiter);
    const dirKey = dirKeyOf(prefix);
    const namePrefix = prefix.slice(dirKey.length);
    const out: string[] = [];
    for (const entry of await this.readDir(dirKey)) {
      if (!entry.isDirectory() || !entry.name.startsWith(namePrefix)) continue;
      const sub = `${dirKey}${entry.name}/`;
      // An empty directory left by a crash between unlink and prune is not a prefix on S3 either.
      if (await this.hasObject(sub)) out.push(sub);
    }
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      if (!isMissing(err)) throw err;
      await this.checkRoot();
      return;
    }
    await this.pruneEmptyParents(dirname(path));
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkPrefix(prefix);
    const keys: string[] = [];
    for await (const key of this.list(prefix)) keys.push(key);
    for (const key of keys) await this.delete(key);
  }

  /** Absolute path of a key; refuses anything that could resolve outside the root. */
  pathOf(key: string): string {
    checkKey(key);
    const path = join(this.root, ...key.split('/'));
    const rel = relative(this.root, path);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..') throw new InvalidKeyError(key, 'escapes the store');
    return path;
  }

  private async checkRoot(): Promise<void> {
    const info = await stat(this.root).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ObjectStoreError('check', 'BucketNotFound', `vault directory ${this.root}`, undefined, '');
      throw err;
    });
    if (!info.isDirectory())
      throw new ObjectStoreError('check', 'Other', `vault directory ${this.root}`, undefined, 'it is not a directory');
  }

  private async notFoundOr(err: unknown, key: string): Promise<unknown> {
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    if (!isMissing(err) && code !== 'EISDIR') return err;
    await this.checkRoot();
    return new ObjectNotFoundError(key);
  }

  private async moveIntoPlace(tmp: string, target: string): Promise<void> {
    // A concurrent delete may prune the freshly made parent directory before the rename; retry.
    for (let attempt = 0; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        await rename(tmp, target);
        return;
      } catch (err) {
        if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }

  private async pruneEmptyParents(dir: string, top = this.root): Promise<void> {
    while (dir !== top && dir.startsWith(top + sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty, already gone, or busy: any of them ends the walk
      }
      dir = dirname(dir);
    }
  }

  private async readDir(dirKey: string) {
    const path = dirKey === '' ? this.root : this.pathOf(dirKey.slice(0, -1));
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries
        .filter((e) => !(dirKey === '' && e.name === STAGING_DIR))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (err) {
      if (!isMissing(err)) throw err;
      await this.checkRoot(); // a missing directory under an existing root is just an empty prefix
      return [];
    }
  }

  // Symlinks are neither followed nor listed: a link could point outside the root.
  private async *walk(dirKey: string, prefix: string): AsyncGenerator<string> {
    for (const entry of await this.readDir(dirKey)) {
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        const sub = `${key}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(sub, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        yield key;
      }
    }
  }

  private async hasObject(prefix: string): Promise<boolean> {
    for await (const _ of this.walk(prefix, prefix)) return true;
    return false;
  }

  private async commonPrefixesByScan(prefix: string, delimiter: string): Promise<string[]> {
    const found = new Set<string>();
    for await (const key of this.list(prefix)) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) found.add(key.slice(0, at + delimiter.length));
    }
    return [...found].sort();
  }
}

/**
 * Creates a staging file. Another upload's end or a sweep may prune an emptied staging directory
 * between the mkdir and the open: then the directories are made again.
 */
async function openStaging(path: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dirname(path), { recursive: true });
      return await open(path, 'wx');
    } catch (err) {
      if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function checkKey(key: string): void {
  checkSharedKey(key, STAGING_DIR);
}

function checkPrefix(prefix: string): void {
  checkSharedPrefix(prefix, STAGING_DIR);
}

/** The directory part of a prefix, ending in `/`, or '' (`a/b/c` -> `a/b/`). */
function dirKeyOf(prefix: string): string {
  return prefix.slice(0, prefix.lastIndexOf('/') + 1);
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

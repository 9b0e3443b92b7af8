// The one interface every vault backend implements (local directory, OSS, S3-compatible). It has
// the shape of Velero's ObjectStore plugin interface, narrowed to one bucket: flat string keys,
// `/` as the conventional separator, no directories of its own.

import type { Readable } from 'node:stream';

export interface ObjectStore {
  /** Writes the whole object or nothing: a reader sees the old object, the new one, or none. */
  put(key: string, body: Buffer | Readable): Promise<void>;
  /** Throws ObjectNotFoundError when the key does not exist. */
  get(key: string): Promise<Buffer>;
  /** Throws ObjectNotFoundError when the key does not exist (before any byte is streamed). */
  getStream(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Every key starting with `prefix` (a plain string prefix, not a directory). */
  list(prefix: string): AsyncIterable<string>;
  /**
   * The distinct `prefix + <part> + delimiter` of keys under `prefix` that contain the delimiter
   * after it, sorted; what S3 calls CommonPrefixes. Velero's validation and backup listing use it.
   */
  listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]>;
  /** Deleting a missing key succeeds, as on S3 and OSS. */
  delete(key: string): Promise<void>;
  /** Deletes every key starting with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  /**
   * Removes staged uploads: bytes of a `put` that never became an object because its writer died
   * (SIGKILL) mid-upload. Only those of keys starting with `prefix` ('' for all), and with
   * `olderThanMs` only those untouched for that long (a live upload writes all the time, so only
   * dead ones qualify). A live upload whose staging is removed fails instead of landing. Returns
   * how many were removed. A backend whose uploads are atomic without staging has none.
   */
  sweepStaging(options: StagingSweep): Promise<number>;
}

export interface StagingSweep {
  prefix: string;
  olderThanMs?: number;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly key: string) {
    super(`object ${key} not found`);
  }
}

export function isObjectNotFound(err: unknown): err is ObjectNotFoundError {
  return err instanceof ObjectNotFoundError;
}

/** A key or prefix that could address something outside the store (`..`, absolute, NUL). */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

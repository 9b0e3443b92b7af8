// The one interface every vault backend implements (local directory, OSS, S3-compatible). It has
// the shape of Velero's ObjectStore plugin interface, narrowed to one bucket: flat string keys,
// `/` as the conventional separator, no directories of its own.

import type { Readable } from 'node:stream';
import { ErrorCode, TaskError } from '../domain/errors.js';

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
  /**
   * What the bucket itself says about immutability and storage class, for the vault's validation:
   * a bucket that cannot honour the vault's promises makes the vault Unavailable.
   */
  inspect(): Promise<BucketFacts>;
}

export interface BucketFacts {
  /** The bucket's default storage class as the store names it (`Standard`, `Archive`, `GLACIER`...). */
  storageClass?: string;
  /**
   * S3 Object Lock enabled on the bucket, or an OSS bucket WORM policy: what retention the store
   * can enforce. `undefined` when the backend has no such notion (a local directory).
   */
  retention?: { enabled: boolean; locked: boolean; days?: number };
}

/** Retention every object of an immutable vault is written with (S3 Object Lock, OSS WORM). */
export interface ObjectRetention {
  mode: 'compliance' | 'governance';
  days: number;
}

/** What a backend did when it failed, in the FAQ's words: check, upload or download backup files. */
export type StoreOperation = 'check' | 'upload' | 'download' | 'delete';
/** Why, as far as the answer tells. Transient causes are retried by the backend before this is thrown. */
export type StoreFailure = 'BucketNotFound' | 'AccessDenied' | 'Unreachable' | 'Retained' | 'Other';

const OPERATION_WORDS: Record<StoreOperation, string> = {
  check: 'check backup files in',
  upload: 'upload backup files to',
  download: 'download backup files from',
  delete: 'delete backup files from',
};

const FAILURE_CODES: Record<StoreFailure, ErrorCode> = {
  BucketNotFound: ErrorCode.VaultUnavailable,
  AccessDenied: ErrorCode.VaultUnavailable,
  Retained: ErrorCode.ObjectRetained,
  Unreachable: ErrorCode.VaultIoFailed,
  Other: ErrorCode.VaultIoFailed,
};

/**
 * A backend failure after the backend's own retries, naming the operation (the FAQ's "upload
 * backup files to OSS bucket failed"), the object and the cause. A missing bucket, refused
 * credentials and a retained object are not retryable; the rest are.
 */
export class ObjectStoreError extends TaskError {
  constructor(
    readonly operation: StoreOperation,
    readonly failure: StoreFailure,
    /** `OSS bucket b`, `S3 bucket b`, `vault directory /d`. */
    readonly where: string,
    readonly key: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      FAILURE_CODES[failure],
      `${OPERATION_WORDS[operation]} ${where} failed: ${[key, failureText(failure), detail].filter(Boolean).join(': ')}`,
    );
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

function failureText(failure: StoreFailure): string {
  switch (failure) {
    case 'BucketNotFound':
      return 'it does not exist';
    case 'AccessDenied':
      return 'access denied';
    case 'Unreachable':
      return 'endpoint unreachable';
    case 'Retained':
      return 'the object is under retention (immutable vault)';
    case 'Other':
      return '';
  }
}

/**
 * The keys every backend refuses, so a key means the same everywhere and none can address
 * something outside the vault on a backend that maps keys to paths.
 */
export function checkKey(key: string, reserved?: string): void {
  if (key === '') throw new InvalidKeyError(key, 'empty');
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'absolute');
  if (key.includes('\0')) throw new InvalidKeyError(key, 'NUL byte');
  for (const s of key.split('/')) {
    if (s === '') throw new InvalidKeyError(key, 'empty segment');
    if (s === '.' || s === '..') throw new InvalidKeyError(key, `'${s}' segment`);
  }
  if (reserved !== undefined && (key === reserved || key.startsWith(`${reserved}/`)))
    throw new InvalidKeyError(key, 'reserved');
}

/** A prefix may end anywhere (`backups/na`), but the same segments as a key are refused. */
export function checkPrefix(prefix: string, reserved?: string): void {
  if (prefix === '') return;
  const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  if (dir !== '') checkKey(dir.slice(0, -1), reserved);
  const last = prefix.slice(dir.length);
  if (last === '..' || last.includes('\0') || prefix.startsWith('/')) throw new InvalidKeyError(prefix, 'bad prefix');
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

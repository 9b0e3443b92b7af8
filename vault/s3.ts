// The S3-compatible backend: AWS S3 and any store speaking its protocol (versitygw, Ceph RGW...).
// An object is written whole by S3's nature (a multipart upload becomes visible only when it is
// completed), so there is no staging of our own: an upload whose writer died is an incomplete
// multipart upload, which sweepStaging aborts.
//
// Transient failures (5xx, throttling, resets, timeouts) are retried by the SDK's standard retry
// strategy: exponential backoff with full jitter, a longer base for throttling, each request (so
// each part of a multipart upload) on its own. A download cut off mid-body resumes where it was
// cut (a ranged GET pinned to the object's ETag), as the SDK cannot resend a body it handed over.
//
// With `retention` every object is written under S3 Object Lock, and a delete of an object still
// retained is refused here: on a versioned bucket (object lock implies versioning) S3 itself would
// accept it and hide the object behind a delete marker. The check reads the object's lock headers
// (HeadObject), which S3 sends only to a principal with s3:GetObjectRetention.

import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  type GetObjectCommandOutput,
  type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { endpointRefusal } from '../domain/vault-location.js';
import { mapLimit } from '../lib/concurrency.js';
import { readAll } from '../lib/streams.js';
import {
  checkKey,
  checkPrefix,
  InvalidKeyError,
  ObjectNotFoundError,
  ObjectStoreError,
  type BucketFacts,
  type ObjectRetention,
  type ObjectStore,
  type StagingSweep,
  type StoreFailure,
  type StoreOperation,
} from './backend.js';

export interface S3ObjectStoreOptions {
  bucket: string;
  /** Default us-east-1. */
  region?: string;
  /** A non-AWS store (`http://host:port`); AWS's own endpoints when absent. */
  endpoint?: string;
  /** `endpoint/bucket/key` instead of `bucket.endpoint/key`; most non-AWS stores want it. */
  forcePathStyle?: boolean;
  /** Static keys; without them the SDK's default chain (environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Object Lock retention every object is written with; deletes of retained objects are refused. */
  retention?: ObjectRetention;
  /** Sent with every write: S3-managed keys (SSE-S3, AES256) or KMS, with a given key or the default one. */
  serverSideEncryption?: { type: 'oss' | 'kms'; keyId?: string };
  /** Multipart part size, default 8 MiB (S3's minimum is 5 MiB). */
  partSizeBytes?: number;
  /** Parts of one upload in flight, default 4. */
  queueSize?: number;
  /** Attempts per request, the first included, default 8. */
  maxAttempts?: number;
  /** A request whose connection stays silent this long fails (and is retried); default 120 s. */
  requestTimeoutMs?: number;
  /** Connecting may take this long; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Allows an endpoint on a link-local or cloud metadata address, refused by default: a vault
   * there would have the workers send signed requests to the instance's metadata service.
   */
  allowMetadataEndpoints?: boolean;
}

const MiB = 1024 * 1024;
const DELETE_BATCH = 1000; // DeleteObjects' limit
const HEAD_CONCURRENCY = 16;
const DAY_MS = 24 * 60 * 60 * 1000;

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly where: string;
  private readonly maxAttempts: number;

  constructor(private readonly options: S3ObjectStoreOptions) {
    if (options.endpoint !== undefined && !options.allowMetadataEndpoints) {
      const refusal = endpointRefusal(options.endpoint);
      if (refusal !== undefined) throw new Error(`S3 endpoint ${refusal}`);
    }
    this.bucket = options.bucket;
    this.where = `S3 bucket ${options.bucket}`;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: options.credentials,
      maxAttempts: this.maxAttempts,
      retryMode: 'standard',
      requestHandler: {
        connectionTimeout: options.connectTimeoutMs ?? 10_000,
        socketTimeout: options.requestTimeoutMs ?? 120_000,
      },
    });
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    try {
      checkKey(key);
      const { retention, serverSideEncryption: sse } = this.options;
      const upload = new Upload({
        client: this.client,
        partSize: this.options.partSizeBytes ?? 8 * MiB,
        queueSize: this.options.queueSize ?? 4,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ...(retention && {
            ObjectLockMode: retention.mode === 'compliance' ? 'COMPLIANCE' : 'GOVERNANCE',
            ObjectLockRetainUntilDate: new Date(Date.now() + retention.days * DAY_MS),
          }),
          ...(sse && {
            ServerSideEncryption: sse.type === 'kms' ? 'aws:kms' : 'AES256',
            SSEKMSKeyId: sse.keyId,
          }),
        },
      });
      // A failed upload aborts its multipart upload itself (leavePartsOnError is false).
      await upload.done();
    } catch (err) {
      // As in the filesystem backend: a producer blocked on backpressure must learn nobody reads on.
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      // The caller's own stream failing is its error, not the store's.
      if (!Buffer.isBuffer(body) && body.errored === err) throw err;
      throw this.failure('upload', key, err);
    }
  }

  async get(key: string): Promise<Buffer> {
    return readAll(await this.getStream(key));
  }

  async getStream(key: string): Promise<Readable> {
    checkKey(key);
    const first = await this.getObject(key);
    return Readable.from(this.resumingBody(key, first), { objectMode: false });
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    return (await this.head(key, 'check')) !== undefined;
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.call('check', undefined, () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) yield o.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    checkPrefix(prefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('check', undefined, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            Delimiter: delimiter,
            ContinuationToken: token,
          }),
        ),
      );
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix !== undefined) out.push(p.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    if (this.options.retention) await this.refuseRetained([key]);
    await this.call('delete', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkPrefix(prefix);
    const keys: string[] = [];
    for await (const key of this.list(prefix)) keys.push(key);
    if (this.options.retention) await this.refuseRetained(keys);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const out = await this.call('delete', batch[0], () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      );
      const failed = out.Errors?.[0];
      if (failed) {
        const failure = failureOfCode(failed.Code);
        throw new ObjectStoreError('delete', failure, this.where, failed.Key, `${failed.Code}: ${failed.Message}`);
      }
    }
  }

  async sweepStaging({ prefix, olderThanMs }: StagingSweep): Promise<number> {
    checkPrefix(prefix);
    const cutoff = olderThanMs === undefined ? undefined : Date.now() - olderThanMs;
    const uploads: { Key: string; UploadId: string; Initiated?: Date }[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.call('delete', undefined, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        ),
      );
      for (const u of page.Uploads ?? [])
        if (u.Key !== undefined && u.UploadId !== undefined)
          uploads.push({ Key: u.Key, UploadId: u.UploadId, Initiated: u.Initiated });
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker !== undefined);
    let removed = 0;
    for (const u of uploads) {
      if (cutoff !== undefined && !(await this.untouchedSince(u, cutoff))) continue;
      try {
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
        );
        removed++;
      } catch (err) {
        if (errorName(err) !== 'NoSuchUpload') throw this.failure('delete', u.Key, err); // gone meanwhile: fine
      }
    }
    return removed;
  }

  async inspect(): Promise<BucketFacts> {
    let config;
    try {
      config = (await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.bucket })))
        .ObjectLockConfiguration;
    } catch (err) {
      if (errorName(err) !== 'ObjectLockConfigurationNotFoundError') throw this.failure('check', undefined, err);
    }
    const rule = config?.Rule?.DefaultRetention;
    const days = rule?.Days ?? (rule?.Years === undefined ? undefined : rule.Years * 365);
    return {
      retention: {
        enabled: config?.ObjectLockEnabled === 'Enabled',
        locked: days !== undefined,
        ...(days !== undefined && { days }),
      },
    };
  }

  /** Releases the client's connections. */
  destroy(): void {
    this.client.destroy();
  }

  /** Refuses, before anything is deleted, if one of `keys` is still retained or under legal hold. */
  private async refuseRetained(keys: readonly string[]): Promise<void> {
    await mapLimit(keys, HEAD_CONCURRENCY, async (key) => {
      const head = await this.head(key, 'delete');
      const until = head?.ObjectLockRetainUntilDate;
      if (head?.ObjectLockMode && until && until.getTime() > Date.now())
        throw new ObjectStoreError('delete', 'Retained', this.where, key, `retained until ${until.toISOString()}`);
      if (head?.ObjectLockLegalHoldStatus === 'ON')
        throw new ObjectStoreError('delete', 'Retained', this.where, key, 'under legal hold');
    });
  }

  /** The object's metadata, or undefined when it does not exist (in an existing bucket). */
  private async head(key: string, operation: StoreOperation): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (err) {
      // A HEAD answer has no body to tell a missing key from a missing bucket.
      if (!isNotFound(err)) throw this.failure(operation, key, err);
    }
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (!isNotFound(err)) throw this.failure(operation, key, err);
      throw new ObjectStoreError(operation, 'BucketNotFound', this.where, key, '', { cause: err });
    }
    return undefined;
  }

  private async getObject(key: string, range?: { offset: number; etag?: string }): Promise<GetObjectCommandOutput> {
    try {
      return await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range && { Range: `bytes=${range.offset}-`, IfMatch: range.etag }),
        }),
      );
    } catch (err) {
      if (errorName(err) === 'NoSuchKey') throw new ObjectNotFoundError(key);
      // A bare 404: the bucket may be what is missing.
      if (isNotFound(err) && (await this.head(key, 'download')) === undefined) throw new ObjectNotFoundError(key);
      throw this.failure('download', key, err);
    }
  }

  /**
   * The object's bytes from `first` on; where the connection breaks, a ranged GET of the same
   * version (If-Match its ETag) continues. Gives up after maxAttempts breaks without progress.
   */
  private async *resumingBody(key: string, first: GetObjectCommandOutput): AsyncGenerator<Buffer> {
    const total = first.ContentLength;
    let body = first.Body as Readable;
    let offset = 0;
    let stalls = 0;
    for (;;) {
      const start = offset;
      try {
        for await (const chunk of body) {
          offset += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (total === undefined || offset >= total) return;
        throw Object.assign(new Error(`the answer ended after ${offset} of ${total} bytes`), { code: 'ECONNRESET' });
      } catch (err) {
        body.destroy();
        if (!isBrokenConnection(err)) throw this.failure('download', key, err);
        stalls = offset > start ? 1 : stalls + 1;
        if (stalls >= this.maxAttempts) throw this.failure('download', key, err);
        body = (await this.getObject(key, { offset, etag: first.ETag })).Body as Readable;
      }
    }
  }

  /** Whether an incomplete upload has seen neither its start nor a part since `cutoff`. */
  private async untouchedSince(upload: { Key: string; UploadId: string; Initiated?: Date }, cutoff: number) {
    if (upload.Initiated !== undefined && upload.Initiated.getTime() > cutoff) return false;
    let marker: string | undefined;
    do {
      const page = await this.call('delete', upload.Key, () =>
        this.client.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: upload.Key,
            UploadId: upload.UploadId,
            PartNumberMarker: marker,
          }),
        ),
      );
      if ((page.Parts ?? []).some((p) => p.LastModified !== undefined && p.LastModified.getTime() > cutoff))
        return false;
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker !== undefined);
    return true;
  }

  private async call<T>(operation: StoreOperation, key: string | undefined, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      throw this.failure(operation, key, err);
    }
  }

  /** The SDK's error after its retries, as the vault's error naming operation, bucket and key. */
  private failure(operation: StoreOperation, key: string | undefined, err: unknown): Error {
    if (err instanceof ObjectStoreError || err instanceof ObjectNotFoundError || err instanceof InvalidKeyError)
      return err;
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    let failure = failureOfCode(errorName(err));
    if (failure === 'Other' && status === 403) failure = 'AccessDenied';
    if (failure === 'Other' && (e.name === 'TimeoutError' || UNREACHABLE.has(errorCode(err) ?? '')))
      failure = 'Unreachable';
    const detail = `${e.name ?? 'Error'}${status ? ` (HTTP ${status})` : ''}: ${e.message ?? String(err)}`;
    return new ObjectStoreError(operation, failure, this.where, key, detail, { cause: err });
  }
}

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'AllAccessDisabled',
]);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
// What a connection broken mid-body looks like: Node's resets and premature ends, the handler's idle timeout.
const BROKEN = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

function failureOfCode(code: string | undefined): StoreFailure {
  if (code === 'NoSuchBucket') return 'BucketNotFound';
  if (code !== undefined && ACCESS_DENIED.has(code)) return 'AccessDenied';
  return 'Other';
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | undefined)?.name;
}

/** The Node error code, also of a cause or of the first of several attempts (AggregateError). */
function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: string; cause?: unknown; errors?: unknown[] };
  return e.code ?? errorCode(e.cause) ?? errorCode(e.errors?.[0]);
}

function isNotFound(err: unknown): boolean {
  return (
    errorName(err) === 'NotFound' ||
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
  );
}

function isBrokenConnection(err: unknown): boolean {
  return errorName(err) === 'TimeoutError' || BROKEN.has(errorCode(err) ?? '') || (err as Error).message === 'aborted';
}

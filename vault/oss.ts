// The Alibaba Cloud OSS backend, through the ali-oss SDK. ali-oss's own retry covers only network
// errors of requests without a streamed body, so every call here runs in its own retry loop
// (5xx, throttling, resets, timeouts, with exponential backoff), and a streamed upload goes in
// parts that are retried one by one: a failed part resumes the upload rather than restarting it.
//
// A download that breaks mid-stream resumes from the byte it reached (Range, pinned to the
// object's ETag by If-Match), so a long restore survives a reset connection.
//
// ali-oss reports a 404 without its body for HEAD and streamed GET, which cannot tell a missing
// key from a missing bucket; a listing of the key settles it, so a missing bucket is never taken
// for a missing object.

import type CredentialsModule from '@alicloud/credentials';
import OSS from 'ali-oss';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpointRefusal } from '../domain/vault-location.js';
import { Semaphore } from '../lib/concurrency.js';
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

// CommonJS exporting its class as `exports.default`: Node's ESM loader and vitest disagree on
// what a default import of it is, require does not.
const { default: Credential } = createRequire(import.meta.url)('@alicloud/credentials') as typeof CredentialsModule;

/** Where credentials come from when they are not static: `new Credential()` of @alicloud/credentials fits. */
export interface OssCredentialSource {
  getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
}
export interface OssStaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface OssStoreOptions {
  /** Region ID, e.g. `cn-hangzhou`. */
  region: string;
  bucket: string;
  /** Default internal: `oss-<region>-internal.aliyuncs.com`; public: `oss-<region>.aliyuncs.com`. */
  network?: 'internal' | 'public';
  /** A custom endpoint URL; overrides the region endpoint. */
  endpoint?: string;
  /** Lets a custom endpoint point at a link-local or cloud metadata address. */
  allowMetadataEndpoints?: boolean;
  /**
   * Static keys, or a source asked before every request (STS tokens it refreshes are picked up).
   * Default: the @alicloud/credentials default chain (ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, the
   * credentials file, OIDC, the ECS RAM role).
   */
  credentials?: OssStaticCredentials | OssCredentialSource;
  /** Sent with every write: OSS-managed keys (AES256) or KMS, with a given key or the default one. */
  serverSideEncryption?: { type: 'oss' | 'kms'; keyId?: string };
  /** An immutable vault: deleting an object younger than this is refused before OSS is asked. */
  retention?: ObjectRetention;
  /** Default V4 (OSS4-HMAC-SHA256); V1 for endpoints that know only it. */
  signatureVersion?: 'v1' | 'v4';
  /** HTTPS to region endpoints (default true); a custom endpoint's URL says for itself. */
  secure?: boolean;
  agent?: HttpAgent;
  httpsAgent?: HttpsAgent;
  /** Multipart part size, at least OSS's 100 KiB minimum; default 8 MiB. */
  partSize?: number;
  /** Parts uploaded at once; default 4. */
  parallelParts?: number;
  /** Retries of a transient failure per request; default 5. */
  retries?: number;
  /** First retry's delay, doubling each time (with jitter); default 200 ms. */
  backoffMs?: number;
  /** Per-request timeout; default 60 s. */
  timeoutMs?: number;
}

const MIB = 1024 * 1024;
const MIN_PART_SIZE = 100 * 1024;
const MAX_PARTS = 10_000;
const DELETE_BATCH = 1000;
const DAY_MS = 86_400_000;

const DENIED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSecurityToken',
  'SecurityTokenExpired',
]);
const THROTTLED = new Set(['RequestTimeout', 'Throttling', 'QpsLimitExceeded', 'SlowDown', 'ServiceUnavailable']);
const NETWORK_NAMES = new Set([
  'ConnectionTimeoutError',
  'ResponseTimeoutError',
  'SocketAssignTimeoutError',
  'RequestError',
  'ResponseError',
]);
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|timeout/i;
const NETWORK = /ECONNRESET|EPIPE|socket hang up|aborted|ended early/i;

type Client = OSS & {
  options: { accessKeyId: string; accessKeySecret: string; stsToken?: string };
  getBucketWorm(name: string): Promise<{ state?: string; days?: string | number }>;
};
interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** The endpoint a store talks to. */
export function ossEndpoint(options: Pick<OssStoreOptions, 'region' | 'network' | 'endpoint' | 'secure'>): string {
  if (options.endpoint !== undefined) return options.endpoint;
  const internal = (options.network ?? 'internal') === 'internal';
  return `${options.secure === false ? 'http' : 'https'}://oss-${options.region}${internal ? '-internal' : ''}.aliyuncs.com`;
}

export class OssObjectStore implements ObjectStore {
  readonly endpoint: string;
  private readonly where: string;
  private readonly source: OssCredentialSource;
  private readonly partSize: number;
  private readonly parallelParts: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;
  private client: Client | undefined;

  constructor(private readonly options: OssStoreOptions) {
    this.endpoint = ossEndpoint(options);
    this.where = `OSS bucket ${options.bucket}`;
    if (options.endpoint !== undefined && !options.allowMetadataEndpoints) {
      const refusal = endpointRefusal(options.endpoint);
      if (refusal) throw new ObjectStoreError('check', 'AccessDenied', this.where, undefined, `endpoint ${refusal}`);
    }
    const c = options.credentials;
    this.source = c === undefined ? new Credential() : 'getCredential' in c ? c : { getCredential: async () => c };
    this.partSize = options.partSize ?? 8 * MIB;
    if (this.partSize < MIN_PART_SIZE) throw new RangeError(`partSize must be at least ${MIN_PART_SIZE} bytes`);
    this.parallelParts = options.parallelParts ?? 4;
    this.retries = options.retries ?? 5;
    this.backoffMs = options.backoffMs ?? 200;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async put(key: string, body: Buffer | Readable): Promise<void> {
    try {
      checkKey(key);
      if (Buffer.isBuffer(body)) return await this.putWhole(key, body);
      const parts = partsOf(body, this.partSize);
      const first = await parts.next();
      const second = first.done ? first : await parts.next();
      if (second.done) return await this.putWhole(key, first.done ? Buffer.alloc(0) : first.value);
      await this.putParts(key, body, [first.value as Buffer, second.value], parts);
    } catch (err) {
      // A producer blocked on backpressure must learn that nobody reads the rest.
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    checkKey(key);
    const got = await this.call('download', key, (oss) => unlessMissing(oss.get(key)));
    if (got === undefined) throw new ObjectNotFoundError(key);
    return got.content as Buffer;
  }

  async getStream(key: string): Promise<Readable> {
    checkKey(key);
    const got = await this.call('download', key, (oss) => unlessMissing(oss.getStream(key)));
    if (got === undefined) return this.notFound('download', key);
    const headers = got.res.headers as Record<string, string | undefined>;
    const length = Number(headers['content-length']);
    return Readable.from(this.resumed(key, got.stream as Readable, headers.etag ?? '', length), { objectMode: false });
  }

  async exists(key: string): Promise<boolean> {
    checkKey(key);
    if (await this.call('check', key, (oss) => unlessMissing(oss.head(key)))) return true;
    await this.notFound('check', key).catch((err: unknown) => {
      if (!(err instanceof ObjectNotFoundError)) throw err;
    });
    return false;
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    for await (const page of this.pages(prefix)) for (const o of page.objects ?? []) yield fromUrl(o.name);
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    checkPrefix(prefix);
    const out: string[] = [];
    for await (const page of this.pages(prefix, delimiter)) out.push(...(page.prefixes ?? []).map(fromUrl));
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    if (this.options.retention) {
      const head = await this.call('delete', key, (oss) => unlessMissing(oss.head(key)));
      const modified = (head?.res.headers as Record<string, string> | undefined)?.['last-modified'];
      if (modified !== undefined) this.checkRetention(key, Date.parse(modified));
    }
    await this.call('delete', key, (oss) => oss.delete(key));
  }

  async deletePrefix(prefix: string): Promise<void> {
    checkPrefix(prefix);
    const keys: string[] = [];
    for await (const page of this.pages(prefix))
      for (const o of page.objects ?? []) {
        const key = fromUrl(o.name);
        if (this.options.retention) this.checkRetention(key, Date.parse(o.lastModified));
        keys.push(key);
      }
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      await this.call('delete', prefix, (oss) => oss.deleteMulti(batch, { quiet: true }));
    }
  }

  async sweepStaging({ prefix, olderThanMs }: StagingSweep): Promise<number> {
    checkPrefix(prefix);
    const cutoff = olderThanMs === undefined ? undefined : Date.now() - olderThanMs;
    const uploads: Array<{ name: string; uploadId: string; initiated: string }> = [];
    let marker: { key: string; id: string } | undefined;
    do {
      const query = {
        ...(prefix === '' ? {} : { prefix }),
        'max-uploads': 1000,
        'encoding-type': 'url',
        ...(marker ? { 'key-marker': marker.key, 'upload-id-marker': marker.id } : {}),
      };
      const page = await this.call('delete', prefix, (oss) => oss.listUploads({ ...query }));
      for (const u of page.uploads as typeof uploads) uploads.push({ ...u, name: fromUrl(u.name) });
      marker = page.isTruncated
        ? { key: fromUrl(page.nextKeyMarker as string), id: page.nextUploadIdMarker as string }
        : undefined;
    } while (marker);
    let removed = 0;
    for (const u of uploads) {
      if (cutoff !== undefined && !(await this.idleSince(u, cutoff))) continue;
      // Gone already: its writer completed or aborted it meanwhile, so nothing was removed here.
      const aborted = await this.call('delete', u.name, (oss) =>
        unlessCode(oss.abortMultipartUpload(u.name, u.uploadId), 'NoSuchUpload'),
      );
      if (aborted !== undefined) removed++;
    }
    return removed;
  }

  async inspect(): Promise<BucketFacts> {
    const { bucket } = this.options;
    const info = (await this.call('check', undefined, (oss) => oss.getBucketInfo(bucket))) as {
      bucket?: { StorageClass?: string };
    };
    const storageClass = info.bucket?.StorageClass;
    let worm;
    try {
      worm = await this.call('check', undefined, (oss) =>
        unlessCode(oss.getBucketWorm(bucket), 'NoSuchWORMConfiguration'),
      );
    } catch (err) {
      // Without oss:GetBucketWorm the retention is unknown, which only an immutable vault minds.
      if (err instanceof ObjectStoreError && err.failure === 'AccessDenied') return { storageClass };
      throw err;
    }
    // An unlocked policy left unlocked for 24 hours turns Expired and no longer protects anything.
    const enabled = worm?.state === 'InProgress' || worm?.state === 'Locked';
    return {
      storageClass,
      retention: enabled
        ? { enabled, locked: worm?.state === 'Locked', days: Number(worm?.days) }
        : { enabled: false, locked: false },
    };
  }

  // --- uploads ----------------------------------------------------------------------------------

  private async putWhole(key: string, body: Buffer): Promise<void> {
    await this.call('upload', key, (oss) => oss.put(key, body, { headers: this.encryptionHeaders() }));
  }

  /** Multipart: nothing is visible before Complete; on failure the upload is aborted. */
  private async putParts(key: string, body: Readable, first: Buffer[], rest: AsyncIterator<Buffer>): Promise<void> {
    const { uploadId } = await this.call('upload', key, (oss) =>
      oss.initMultipartUpload(key, { headers: this.encryptionHeaders() }),
    );
    const done: Array<{ number: number; etag: string }> = [];
    const slots = new Semaphore(this.parallelParts);
    const read = async () => first.shift() ?? ((await rest.next()).value as Buffer | undefined);
    const inFlight = new Set<Promise<void>>();
    let failure: { err: unknown } | undefined;
    try {
      let number = 0;
      for (let part = await read(); part !== undefined && !failure; part = await read()) {
        const release = await slots.acquire();
        if (failure) {
          release();
          break;
        }
        const n = ++number;
        const bytes = part;
        if (n > MAX_PARTS) throw new Error(`object larger than ${MAX_PARTS} parts of ${this.partSize} bytes`);
        const upload: Promise<void> = this.call('upload', key, (oss) =>
          oss.uploadPart(key, uploadId, n, bytes, 0, bytes.length),
        )
          .then((r) => void done.push({ number: n, etag: r.etag }))
          .catch((err: unknown) => {
            failure ??= { err };
            body.destroy(); // wakes the loop if it waits for bytes that will never be sent
          })
          .finally(() => {
            release();
            inFlight.delete(upload);
          });
        inFlight.add(upload);
      }
      await Promise.all(inFlight);
      if (failure) throw failure.err;
      done.sort((a, b) => a.number - b.number);
      await this.call('upload', key, (oss) => oss.completeMultipartUpload(key, uploadId, done));
    } catch (err) {
      await Promise.allSettled(inFlight);
      // Best effort: an upload left behind is what sweepStaging removes.
      await this.call('upload', key, (oss) => oss.abortMultipartUpload(key, uploadId)).catch(() => undefined);
      throw failure?.err ?? err;
    }
  }

  private encryptionHeaders(): Record<string, string> {
    const sse = this.options.serverSideEncryption;
    if (!sse) return {};
    if (sse.type === 'oss') return { 'x-oss-server-side-encryption': 'AES256' };
    return {
      'x-oss-server-side-encryption': 'KMS',
      ...(sse.keyId === undefined ? {} : { 'x-oss-server-side-encryption-key-id': sse.keyId }),
    };
  }

  /** An upload untouched since `cutoff`: initiated and every part written before it. */
  private async idleSince(u: { name: string; uploadId: string; initiated: string }, cutoff: number): Promise<boolean> {
    if (Date.parse(u.initiated) > cutoff) return false;
    let marker = 0;
    for (;;) {
      const page = await this.call('delete', u.name, (oss) =>
        unlessCode(
          oss.listParts(u.name, u.uploadId, {
            'max-parts': 1000,
            'part-number-marker': marker,
            'encoding-type': 'url',
          }),
          'NoSuchUpload',
        ),
      );
      if (page === undefined) return false;
      const parts = ([] as Array<{ LastModified: string }>).concat(page.parts as never);
      if (parts.some((p) => Date.parse(p.LastModified) > cutoff)) return false;
      if (String(page.isTruncated) !== 'true') return true;
      marker = Number(page.nextPartNumberMarker);
    }
  }

  // --- reads ------------------------------------------------------------------------------------

  /** The bytes of a download, fetching the rest again (same ETag) when the connection breaks. */
  private async *resumed(key: string, first: Readable, etag: string, length: number): AsyncGenerator<Buffer> {
    let source = first;
    let received = 0;
    let failures = 0;
    for (;;) {
      const before = received;
      try {
        for await (const chunk of source) {
          received += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (!Number.isFinite(length) || received >= length) return;
        throw Object.assign(new Error(`download ended early at byte ${received} of ${length}`), { code: 'ECONNRESET' });
      } catch (err) {
        source.destroy();
        if (received > before) failures = 0;
        if (failures++ >= this.retries || !isTransient(err)) throw this.failure('download', key, err);
        await sleep(this.backoff(failures - 1));
        const headers = { Range: `bytes=${received}-`, 'If-Match': etag };
        source = (await this.call('download', key, (oss) => oss.getStream(key, { headers } as OSS.GetStreamOptions)))
          .stream as Readable;
      }
    }
  }

  /** Pages of ListObjectsV2, keys URL-encoded so that any key survives XML. */
  private async *pages(prefix: string, delimiter?: string): AsyncGenerator<OSS.ListV2ObjectResult> {
    let token: string | undefined;
    do {
      const query = {
        ...(prefix === '' ? {} : { prefix }),
        ...(delimiter === undefined ? {} : { delimiter }),
        'max-keys': 1000,
        'encoding-type': 'url' as const,
        ...(token === undefined ? {} : { 'continuation-token': token }),
      };
      // listV2 edits its query, so each attempt gets a fresh one.
      const page = await this.call('check', undefined, (oss) => oss.listV2({ ...query }));
      yield page;
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (token);
  }

  /** After an ambiguous 404: a listing fails with NoSuchBucket when the bucket is what is missing. */
  private async notFound(operation: StoreOperation, key: string): Promise<never> {
    await this.call(operation, key, (oss) => oss.listV2({ prefix: key, 'max-keys': 1 }));
    throw new ObjectNotFoundError(key);
  }

  private checkRetention(key: string, modified: number): void {
    const days = this.options.retention?.days ?? 0;
    const age = Date.now() - modified;
    if (Number.isFinite(modified) && age < days * DAY_MS)
      throw new ObjectStoreError(
        'delete',
        'Retained',
        this.where,
        key,
        `written ${(age / DAY_MS).toFixed(1)} days ago, retained for ${days} days`,
      );
  }

  // --- requests ---------------------------------------------------------------------------------

  /**
   * Runs one request with fresh credentials, retrying transient failures with backoff; what is
   * left is an ObjectStoreError naming the operation, the key and the cause.
   */
  private async call<T>(
    operation: StoreOperation,
    key: string | undefined,
    fn: (oss: Client) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const oss = await this.connect(operation, key);
      try {
        return await fn(oss);
      } catch (err) {
        if (attempt >= this.retries || !isTransient(err)) throw this.failure(operation, key, err);
        await sleep(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.backoffMs * 32, this.backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
  }

  private failure(operation: StoreOperation, key: string | undefined, err: unknown): Error {
    if (err instanceof ObjectStoreError || err instanceof InvalidKeyError) return err;
    const e = err as { name?: string; message?: string };
    const detail = `${codeOf(err) ?? e.name ?? 'Error'}: ${e.message ?? String(err)}`;
    return new ObjectStoreError(operation, failureOf(err), this.where, key, detail, { cause: err });
  }

  /** The client, its credentials refreshed: a source's STS token may have been renewed. */
  private async connect(operation: StoreOperation, key: string | undefined): Promise<Client> {
    let c: Credentials;
    try {
      const got = await this.source.getCredential();
      if (!got.accessKeyId || !got.accessKeySecret) throw new Error('the credentials have no access key');
      c = { accessKeyId: got.accessKeyId, accessKeySecret: got.accessKeySecret, securityToken: got.securityToken };
    } catch (err) {
      const detail = `no credentials: ${(err as Error).message}`;
      throw new ObjectStoreError(operation, 'AccessDenied', this.where, key, detail, { cause: err });
    }
    if (!this.client) this.client = this.newClient(c);
    Object.assign(this.client.options, {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      stsToken: c.securityToken,
    });
    return this.client;
  }

  private newClient(c: Credentials): Client {
    const o = this.options;
    return new OSS({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      stsToken: c.securityToken,
      // Credentials are refreshed before every request (connect); this only quiets ali-oss's advice.
      refreshSTSTokenInterval: Number.MAX_SAFE_INTEGER,
      bucket: o.bucket,
      region: `oss-${o.region}`,
      endpoint: this.endpoint,
      // With an IP endpoint ali-oss names the bucket in the Host header it derives from these.
      internal: (o.network ?? 'internal') === 'internal',
      secure: o.secure !== false,
      authorizationV4: (o.signatureVersion ?? 'v4') === 'v4',
      timeout: this.timeoutMs,
      retryMax: 0,
      ...(o.agent ? { agent: o.agent } : {}),
      ...(o.httpsAgent ? { httpsAgent: o.httpsAgent } : {}),
    } as OSS.Options) as Client;
  }
}

/** The body in buffers of exactly `size` bytes, the last one shorter. */
async function* partsOf(body: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const data of body) {
    let chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as string);
    while (length + chunk.length >= size) {
      const take = size - length;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending);
      pending = [];
      length = 0;
      chunk = chunk.subarray(take);
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      length += chunk.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending);
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The request's promise, undefined for a missing key (ali-oss says NoSuchKey for any 404 without a body). */
function unlessMissing<T>(p: Promise<T>): Promise<T | undefined> {
  return unlessCode(p, 'NoSuchKey');
}

function unlessCode<T>(p: Promise<T>, code: string): Promise<T | undefined> {
  return p.catch((err: unknown) => {
    if (codeOf(err) === code) return undefined;
    throw err;
  });
}

/** Name, code and message: where urllib's connection errors say what happened. */
function errorText(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: unknown };
  return `${e.name ?? ''} ${String(e.code ?? '')} ${e.message ?? ''}`;
}

function isNetworkError(err: unknown): boolean {
  const status = statusOf(err);
  if (status === -1 || status === -2 || NETWORK_NAMES.has((err as { name?: string }).name ?? '')) return true;
  return UNREACHABLE.test(errorText(err)) || NETWORK.test(errorText(err));
}

/** Worth another attempt: the service was busy or broken, or the connection was. */
function isTransient(err: unknown): boolean {
  if (err instanceof ObjectStoreError || err instanceof InvalidKeyError) return false;
  const code = codeOf(err);
  if (code !== undefined && THROTTLED.has(code)) return true;
  const status = statusOf(err);
  if (status !== undefined && status >= 500) return true;
  if (status !== undefined && status >= 400) return status === 408 || status === 429;
  // A 2xx ali-oss turned into an error is an answer cut off mid-body.
  return isNetworkError(err) || (status !== undefined && status > 0);
}

function failureOf(err: unknown): StoreFailure {
  const code = codeOf(err);
  if (code === 'NoSuchBucket') return 'BucketNotFound';
  if (code === 'FileImmutable') return 'Retained';
  if (code !== undefined && DENIED.has(code)) return 'AccessDenied';
  // ali-oss drops the code of a streamed answer; a bare 403 is a refusal all the same.
  if (statusOf(err) === 403 && (code === undefined || code === 'UnknownError')) return 'AccessDenied';
  return isNetworkError(err) && UNREACHABLE.test(errorText(err)) ? 'Unreachable' : 'Other';
}

/** A key or prefix from a listing made with encoding-type=url. */
function fromUrl(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

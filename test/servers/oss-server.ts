// A local stand-in for Alibaba Cloud OSS, speaking the REST subset the vault's OSS backend uses
// through the real ali-oss SDK: objects, multipart uploads, ListObjectsV2, bucket info and WORM.
// It checks what OSS checks, so a test that passes here fails against OSS for no wire reason:
// V1 (`OSS ak:sig`) and V4 (`OSS4-HMAC-SHA256`) signatures, the STS token, clock skew, Content-MD5,
// part sizes, WORM retention, the archive storage classes' unreadable objects. Errors carry OSS's
// codes and XML body. Objects live in memory.
//
// Addressing: with an IP endpoint ali-oss connects to the IP and names the bucket in the Host
// header (`<bucket>.oss-<region>.aliyuncs.com`); with a host name it prepends the bucket to it.
// So the first label of a host name is the bucket; a bare IP or `localhost` Host is path-style.
//
// Faults (seeded, so a failing run can be replayed): a fraction of requests answered 500 or 503,
// delayed, reset without an answer, or (downloads) cut off mid-body; or named ones via failNext.

import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAll } from '../../lib/streams.js';
import { mulberry32 } from './seeded-random.js';

export type StorageClass = 'Standard' | 'IA' | 'Archive' | 'ColdArchive' | 'DeepColdArchive';
export interface WormPolicy {
  days: number;
  state: 'InProgress' | 'Locked';
}
export interface OssCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS credentials: requests must carry it in `x-oss-security-token`. */
  securityToken?: string;
}
export interface Encryption {
  algorithm: string;
  keyId?: string;
}
export interface StoredObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
  type: 'Normal' | 'Multipart';
  contentType?: string;
  encryption?: Encryption;
}
export type FaultKind = 'error500' | 'error503' | 'slow' | 'reset' | 'truncate';
export interface FaultOptions {
  /** Fraction of requests (0..1) that get a fault. */
  rate: number;
  seed?: number;
  kinds?: FaultKind[];
  /** Delay of a `slow` fault. */
  slowMs?: number;
}
export interface OssServerOptions {
  credentials?: OssCredential[];
  /** Region of buckets created without one; V4 signatures are scoped to the bucket's region. */
  region?: string;
  faults?: FaultOptions;
}
export type Operation =
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'DeleteMultipleObjects'
  | 'ListObjectsV2'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListMultipartUploads'
  | 'ListParts'
  | 'GetBucketInfo'
  | 'GetBucketWorm';
export interface RequestRecord {
  operation: Operation | 'Unknown';
  bucket: string;
  key: string;
  /** The Host header: how the bucket was addressed. */
  host: string;
  range?: string;
  query: Record<string, string>;
  status: number;
  signature?: 'V1' | 'V4';
  fault?: FaultKind;
}

export const DEFAULT_CREDENTIAL: OssCredential = { accessKeyId: 'LTAI-test-key', accessKeySecret: 'test-secret' };

// Query parameters that name a sub-resource and so belong to a V1 signature's resource; the rest
// (prefix, max-keys...) are not signed in V1. The list OSS's SDKs sign.
const SUB_RESOURCES = new Set(
  (
    'acl uploads location cors logging website referer lifecycle delete append tagging objectMeta uploadId ' +
    'partNumber security-token position img style styleName replication replicationProgress replicationLocation ' +
    'cname bucketInfo comp qos live status vod startTime endTime symlink x-oss-process response-content-type ' +
    'x-oss-traffic-limit response-content-language response-expires response-cache-control ' +
    'response-content-disposition response-content-encoding udf udfName udfImage udfId udfImageDesc ' +
    'udfApplication udfApplicationLog restore callback callback-var qosInfo policy stat encryption versions ' +
    'versioning versionId requestPayment x-oss-request-payer sequential inventory inventoryId ' +
    'continuation-token asyncFetch worm wormId wormExtend'
  ).split(' '),
);
const MAX_SKEW_MS = 15 * 60_000;
const MIN_PART_SIZE = 100 * 1024;
const DAY_MS = 86_400_000;
const ARCHIVED: ReadonlySet<StorageClass> = new Set(['Archive', 'ColdArchive', 'DeepColdArchive']);
const FAULT_KINDS: FaultKind[] = ['error500', 'error503', 'slow', 'reset', 'truncate'];

interface Part {
  body: Buffer;
  etag: string;
  lastModified: Date;
}
interface Upload {
  id: string;
  key: string;
  initiated: Date;
  contentType?: string;
  encryption?: Encryption;
  parts: Map<number, Part>;
}
interface Bucket {
  name: string;
  region: string;
  storageClass: StorageClass;
  created: Date;
  worm?: WormPolicy & { id: string; created: Date };
  objects: Map<string, StoredObject>;
  uploads: Map<string, Upload>;
}

/** An answer in OSS's error shape. */
class OssError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  id: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  body: Buffer;
  record: RequestRecord;
}

interface PlannedFault {
  operation: Operation;
  fault: FaultKind;
  times: number;
  match?: (r: RequestRecord) => boolean;
}

export class OssServer {
  readonly requests: RequestRecord[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private credentials: OssCredential[];
  private readonly region: string;
  private faults: FaultOptions | undefined;
  private random: () => number;
  private readonly planned: PlannedFault[] = [];
  private readonly denied = new Set<Operation>();

  private constructor(
    private readonly server: Server,
    options: OssServerOptions,
  ) {
    this.credentials = options.credentials ?? [DEFAULT_CREDENTIAL];
    this.region = options.region ?? 'cn-hangzhou';
    this.faults = options.faults;
    this.random = mulberry32(options.faults?.seed ?? 1);
  }

  static async start(options: OssServerOptions = {}): Promise<OssServer> {
    const server = createServer();
    const oss = new OssServer(server, options);
    server.on('request', (req, res) => void oss.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return oss;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** What a store's `endpoint` option is set to. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  createBucket(name: string, options: { storageClass?: StorageClass; worm?: WormPolicy; region?: string } = {}): void {
    this.buckets.set(name, {
      name,
      region: options.region ?? this.region,
      storageClass: options.storageClass ?? 'Standard',
      created: new Date(),
      objects: new Map(),
      uploads: new Map(),
    });
    if (options.worm) this.setWorm(name, options.worm);
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
  }

  setWorm(bucket: string, worm: WormPolicy | undefined): void {
    this.bucket(bucket).worm = worm && {
      ...worm,
      id: randomUUID().replace(/-/g, '').toUpperCase(),
      created: new Date(),
    };
  }

  setCredentials(credentials: OssCredential[]): void {
    this.credentials = credentials;
  }

  /** Random faults from now on (undefined: none). */
  setFaults(faults: FaultOptions | undefined): void {
    this.faults = faults;
    this.random = mulberry32(faults?.seed ?? 1);
  }

  /** The next `times` requests of `operation` (matching `match`) get `fault`. */
  failNext(
    operation: Operation,
    fault: FaultKind,
    options: { times?: number; match?: (r: RequestRecord) => boolean } = {},
  ) {
    this.planned.push({ operation, fault, times: options.times ?? 1, match: options.match });
  }

  /** Refuses `operation` with AccessDenied, as a RAM policy without its action would; returns the undo. */
  deny(operation: Operation): () => void {
    this.denied.add(operation);
    return () => this.denied.delete(operation);
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.bucket(bucket).objects.get(key);
  }

  keys(bucket: string): string[] {
    return [...this.bucket(bucket).objects.keys()].sort(byCodePoint);
  }

  /** Incomplete multipart uploads, with their part numbers. */
  uploads(bucket: string): Array<{ key: string; uploadId: string; initiated: Date; parts: number[] }> {
    return [...this.bucket(bucket).uploads.values()].map((u) => ({
      key: u.key,
      uploadId: u.id,
      initiated: u.initiated,
      parts: [...u.parts.keys()].sort((a, b) => a - b),
    }));
  }

  /** Ages an object or an upload (and its parts), as time passing would. */
  backdate(bucket: string, key: string, ms: number): void {
    const b = this.bucket(bucket);
    const object = b.objects.get(key);
    if (object) object.lastModified = new Date(object.lastModified.getTime() - ms);
    for (const u of b.uploads.values()) {
      if (u.key !== key) continue;
      u.initiated = new Date(u.initiated.getTime() - ms);
      for (const p of u.parts.values()) p.lastModified = new Date(p.lastModified.getTime() - ms);
    }
  }

  count(operation: Operation, match?: (r: RequestRecord) => boolean): number {
    return this.requests.filter((r) => r.operation === operation && (!match || match(r))).length;
  }

  private bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw new Error(`no bucket ${name}`);
    return b;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.answer(req, res);
    } catch (err) {
      console.error('oss-server:', err);
      req.socket.destroy();
    }
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase();
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const query = new URLSearchParams(rawQuery);
    const { bucket, key } = address(req.headers.host ?? '', rawPath);
    const record: RequestRecord = {
      operation: operationOf(req.method ?? 'GET', key, query),
      bucket,
      key,
      host: req.headers.host ?? '',
      range: header(req.headers, 'range'),
      query: Object.fromEntries(query),
      status: 0,
    };
    this.requests.push(record);
    let body: Buffer;
    try {
      body = await readAll(req);
    } catch {
      return; // the client went away mid-request
    }
    const call: Call = { req, res, id, bucket, key, query, body, record };
    res.setHeader('x-oss-request-id', id);
    res.setHeader('Server', 'AliyunOSS');
    res.setHeader('Date', new Date().toUTCString());

    const fault = this.faultFor(record);
    record.fault = fault;
    if (fault === 'slow') await new Promise((r) => setTimeout(r, this.faults?.slowMs ?? 100));
    if (fault === 'reset' || (fault === 'truncate' && record.operation !== 'GetObject')) {
      req.socket.destroy();
      return;
    }
    try {
      if (fault === 'error500')
        throw new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.');
      if (fault === 'error503') throw new OssError(503, 'ServiceUnavailable', 'Please reduce your request rate.');
      this.authenticate(call);
      const b = this.buckets.get(bucket);
      if (!b) throw new OssError(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: bucket });
      if (record.operation !== 'Unknown' && this.denied.has(record.operation))
        throw new OssError(403, 'AccessDenied', `You are not authorized to do this action (oss:${record.operation}).`);
      await this.dispatch(call, b, fault === 'truncate');
    } catch (err) {
      if (!(err instanceof OssError)) {
        console.error('oss-server:', err);
        this.sendError(call, new OssError(500, 'InternalError', String(err)));
      } else this.sendError(call, err);
    }
  }

  private faultFor(record: RequestRecord): FaultKind | undefined {
    const i = this.planned.findIndex((p) => p.operation === record.operation && (!p.match || p.match(record)));
    const planned = this.planned[i];
    if (planned) {
      if (--planned.times <= 0) this.planned.splice(i, 1);
      return planned.fault;
    }
    if (!this.faults || this.random() >= this.faults.rate) return undefined;
    const kinds = this.faults.kinds ?? FAULT_KINDS;
    return kinds[Math.floor(this.random() * kinds.length)];
  }

  private async dispatch(call: Call, b: Bucket, truncate: boolean): Promise<void> {
    switch (call.record.operation) {
      case 'PutObject':
        return this.putObject(call, b);
      case 'GetObject':
        return this.getObject(call, b, false, truncate);
      case 'HeadObject':
        return this.getObject(call, b, true, false);
      case 'DeleteObject':
        return this.deleteObject(call, b);
      case 'DeleteMultipleObjects':
        return this.deleteMultiple(call, b);
      case 'ListObjectsV2':
        return this.listObjects(call, b);
      case 'InitiateMultipartUpload':
        return this.initiateUpload(call, b);
      case 'UploadPart':
        return this.uploadPart(call, b);
      case 'CompleteMultipartUpload':
        return this.completeUpload(call, b);
      case 'AbortMultipartUpload':
        return this.abortUpload(call, b);
      case 'ListMultipartUploads':
        return this.listUploads(call, b);
      case 'ListParts':
        return this.listParts(call, b);
      case 'GetBucketInfo':
        return this.bucketInfo(call, b);
      case 'GetBucketWorm':
        return this.bucketWorm(call, b);
      case 'Unknown':
        throw new OssError(501, 'NotImplemented', `${call.req.method} ${call.req.url} is not implemented here`);
    }
  }

  // --- authentication ---------------------------------------------------------------------------

  private authenticate(call: Call): void {
    const h = call.req.headers;
    const auth = h.authorization ?? '';
    const v1 = /^OSS ([^:\s]+):(\S+)$/.exec(auth);
    const v4 = /^OSS4-HMAC-SHA256 (.+)$/.exec(auth);
    if (!v1 && !v4)
      throw new OssError(403, 'AccessDenied', 'You have no right to access this object because of bucket acl.');
    const fields = v4 ? parseV4Fields(v4[1] ?? '') : {};
    const accessKeyId = v1 ? (v1[1] ?? '') : ((fields.Credential ?? '').split('/')[0] ?? '');
    const credential = this.credentials.find((c) => c.accessKeyId === accessKeyId);
    if (!credential)
      throw new OssError(
        403,
        'InvalidAccessKeyId',
        'The OSS Access Key Id you provided does not exist in our records.',
        {
          OSSAccessKeyId: accessKeyId,
        },
      );
    const token = header(h, 'x-oss-security-token');
    if (credential.securityToken !== undefined && token !== credential.securityToken)
      throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
    if (credential.securityToken === undefined && token !== undefined)
      throw new OssError(403, 'InvalidAccessKeyId', 'The security token is not expected for this access key.');
    const date = header(h, 'x-oss-date') ?? header(h, 'date') ?? '';
    const when = v4 ? parseIsoBasic(date) : Date.parse(date);
    if (!Number.isFinite(when) || Math.abs(Date.now() - when) > MAX_SKEW_MS)
      throw new OssError(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    const { stringToSign, signature } = v1
      ? { stringToSign: v1StringToSign(call, date), signature: v1[2] ?? '' }
      : { stringToSign: this.v4StringToSign(call, fields, date), signature: fields.Signature ?? '' };
    const expected = v1
      ? createHmac('sha1', credential.accessKeySecret).update(stringToSign).digest('base64')
      : v4Signature(credential.accessKeySecret, fields.Credential ?? '', stringToSign);
    if (!sameText(expected, signature))
      throw new OssError(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
        {
          StringToSign: stringToSign,
          OSSAccessKeyId: accessKeyId,
        },
      );
    call.record.signature = v1 ? 'V1' : 'V4';
  }

  private v4StringToSign(call: Call, fields: Record<string, string>, date: string): string {
    const [, day = '', region = '', product = '', terminal = ''] = (fields.Credential ?? '').split('/');
    const b = this.buckets.get(call.bucket);
    if (
      day !== date.slice(0, 8) ||
      product !== 'oss' ||
      terminal !== 'aliyun_v4_request' ||
      region !== (b?.region ?? this.region)
    )
      throw new OssError(403, 'SignatureDoesNotMatch', `Invalid credential scope ${fields.Credential ?? ''}.`);
    const h = call.req.headers;
    const additional = (fields.AdditionalHeaders ?? '').split(';').filter((s) => s !== '');
    const signed = new Set(additional);
    for (const name of Object.keys(h))
      if (name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')) signed.add(name);
    const canonicalHeaders = [...signed]
      .sort(byCodePoint)
      .map((name) => `${name}:${(header(h, name) ?? '').trim()}\n`)
      .join('');
    const canonicalQuery = [...call.query.entries()]
      .map(([k, v]) => [rfc3986(k), v === '' ? '' : rfc3986(v)] as const)
      .sort(([a], [b]) => byCodePoint(a, b))
      .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
      .join('&');
    const canonicalRequest = [
      call.req.method ?? 'GET',
      rfc3986(`/${call.bucket}/${call.key}`).replace(/%2F/g, '/'),
      canonicalQuery,
      canonicalHeaders,
      additional.join(';'),
      header(h, 'x-oss-content-sha256') ?? 'UNSIGNED-PAYLOAD',
    ].join('\n');
    const scope = `${day}/${region}/oss/aliyun_v4_request`;
    return ['OSS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  }

  // --- objects ----------------------------------------------------------------------------------

  private putObject(call: Call, b: Bucket): void {
    checkMd5(call);
    const encryption = encryptionOf(call.req);
    this.checkWritable(b, call.key);
    const object: StoredObject = {
      body: call.body,
      etag: quotedMd5(call.body),
      lastModified: new Date(),
      type: 'Normal',
      contentType: header(call.req.headers, 'content-type'),
      encryption,
    };
    b.objects.set(call.key, object);
    this.send(call, 200, { ETag: object.etag, ...encryptionHeaders(encryption) });
  }

  private getObject(call: Call, b: Bucket, head: boolean, truncate: boolean): void {
    const object = b.objects.get(call.key);
    if (!object) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: call.key });
    const ifMatch = header(call.req.headers, 'if-match');
    if (ifMatch !== undefined && unquote(ifMatch) !== unquote(object.etag))
      throw new OssError(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold.', {
        Condition: 'If-Match',
      });
    const headers: Record<string, string> = {
      ETag: object.etag,
      'Last-Modified': object.lastModified.toUTCString(),
      'Content-Type': object.contentType ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      'x-oss-object-type': object.type,
      'x-oss-storage-class': b.storageClass,
      ...encryptionHeaders(object.encryption),
    };
    if (head) return this.send(call, 200, { ...headers, 'Content-Length': String(object.body.length) });
    if (ARCHIVED.has(b.storageClass))
      throw new OssError(403, 'InvalidObjectState', "The operation is not valid for the object's state.", {
        Key: call.key,
      });
    const range = rangeOf(header(call.req.headers, 'range'), object.body.length);
    const body = range ? object.body.subarray(range[0], range[1] + 1) : object.body;
    if (range) headers['Content-Range'] = `bytes ${range[0]}-${range[1]}/${object.body.length}`;
    call.record.status = range ? 206 : 200;
    call.res.writeHead(call.record.status, { ...headers, 'Content-Length': String(body.length) });
    if (!truncate || body.length < 2) {
      call.res.end(body);
      return;
    }
    call.record.fault = 'truncate';
    call.res.write(body.subarray(0, Math.floor(body.length / 2)), () => call.req.socket.destroy());
  }

  private deleteObject(call: Call, b: Bucket): void {
    if (b.objects.has(call.key)) this.checkWritable(b, call.key);
    b.objects.delete(call.key);
    this.send(call, 204);
  }

  private deleteMultiple(call: Call, b: Bucket): void {
    if (header(call.req.headers, 'content-md5') === undefined)
      throw new OssError(400, 'MissingArgument', 'Missing Some Required Arguments.', { ArgumentName: 'Content-MD5' });
    checkMd5(call);
    const xml = call.body.toString('utf8');
    const keys = [...xml.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''));
    if (keys.length === 0 || keys.length > 1000)
      throw new OssError(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    // The whole request is refused when one object is retained: nothing deleted, nothing to reconcile.
    for (const key of keys) if (b.objects.has(key)) this.checkWritable(b, key);
    for (const key of keys) b.objects.delete(key);
    const quiet = /<Quiet>true<\/Quiet>/.test(xml);
    this.sendXml(call, 'DeleteResult', quiet ? {} : { Deleted: keys.map((Key) => ({ Key })) });
  }

  private listObjects(call: Call, b: Bucket): void {
    const q = call.query;
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const maxKeys = Number(q.get('max-keys') ?? '100');
    if (!Number.isInteger(maxKeys) || maxKeys < 0 || maxKeys > 1000)
      throw new OssError(400, 'InvalidArgument', 'max-keys must be an integer between 0 and 1000.', {
        ArgumentName: 'max-keys',
      });
    const token = q.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (q.get('start-after') ?? '');
    const url = q.get('encoding-type') === 'url';
    const enc = (s: string) => (url ? encodeURIComponent(s) : s);
    // One entry per key, or per common prefix for keys holding the delimiter after the prefix.
    const entries = new Map<string, StoredObject | undefined>();
    for (const [key, object] of b.objects) {
      if (!key.startsWith(prefix)) continue;
      const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      if (at >= 0) entries.set(key.slice(0, at + delimiter.length), undefined);
      else entries.set(key, object);
    }
    const names = [...entries.keys()].filter((n) => n > after).sort(byCodePoint);
    const page = names.slice(0, maxKeys);
    const truncated = names.length > page.length;
    const contents: XmlObject[] = [];
    const prefixes: XmlObject[] = [];
    for (const name of page) {
      const object = entries.get(name);
      if (!object) prefixes.push({ Prefix: enc(name) });
      else
        contents.push({
          Key: enc(name),
          LastModified: object.lastModified.toISOString(),
          ETag: object.etag,
          Type: object.type,
          Size: object.body.length,
          StorageClass: b.storageClass,
        });
    }
    this.sendXml(call, 'ListBucketResult', {
      Name: b.name,
      Prefix: enc(prefix),
      ContinuationToken: token ?? undefined,
      MaxKeys: maxKeys,
      Delimiter: enc(delimiter),
      EncodingType: url ? 'url' : undefined,
      IsTruncated: truncated,
      KeyCount: page.length,
      NextContinuationToken: truncated ? Buffer.from(page.at(-1) ?? '').toString('base64url') : undefined,
      Contents: contents,
      CommonPrefixes: prefixes,
    });
  }

  // --- multipart --------------------------------------------------------------------------------

  private initiateUpload(call: Call, b: Bucket): void {
    const encryption = encryptionOf(call.req);
    const upload: Upload = {
      id: randomUUID().replace(/-/g, '').toUpperCase(),
      key: call.key,
      initiated: new Date(),
      contentType: header(call.req.headers, 'content-type'),
      encryption,
      parts: new Map(),
    };
    b.uploads.set(upload.id, upload);
    this.sendXml(
      call,
      'InitiateMultipartUploadResult',
      { Bucket: b.name, Key: call.key, UploadId: upload.id },
      encryptionHeaders(encryption),
    );
  }

  private uploadOf(call: Call, b: Bucket): Upload {
    const upload = b.uploads.get(call.query.get('uploadId') ?? '');
    if (!upload || upload.key !== call.key)
      throw new OssError(
        404,
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        {
          UploadId: call.query.get('uploadId') ?? '',
        },
      );
    return upload;
  }

  private uploadPart(call: Call, b: Bucket): void {
    const upload = this.uploadOf(call, b);
    const number = Number(call.query.get('partNumber'));
    if (!Number.isInteger(number) || number < 1 || number > 10_000)
      throw new OssError(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000.', {
        ArgumentName: 'partNumber',
      });
    checkMd5(call);
    const part: Part = { body: call.body, etag: quotedMd5(call.body), lastModified: new Date() };
    upload.parts.set(number, part);
    this.send(call, 200, { ETag: part.etag, ...encryptionHeaders(upload.encryption) });
  }

  private completeUpload(call: Call, b: Bucket): void {
    const upload = this.uploadOf(call, b);
    checkMd5(call);
    const listed = [
      ...call.body
        .toString('utf8')
        .matchAll(/<Part>\s*<PartNumber>(\d+)<\/PartNumber>\s*<ETag>([\s\S]*?)<\/ETag>\s*<\/Part>/g),
    ].map((m) => ({ number: Number(m[1]), etag: unescapeXml(m[2] ?? '') }));
    if (listed.length === 0)
      throw new OssError(
        400,
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema.',
      );
    const parts: Part[] = [];
    listed.forEach(({ number, etag }, i) => {
      if (i > 0 && number <= (listed[i - 1]?.number ?? 0))
        throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
      const part = upload.parts.get(number);
      if (!part || unquote(part.etag) !== unquote(etag))
        throw new OssError(
          400,
          'InvalidPart',
          "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
          {
            PartNumber: String(number),
          },
        );
      if (i < listed.length - 1 && part.body.length < MIN_PART_SIZE)
        throw new OssError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size.', {
          PartNumber: String(number),
        });
      parts.push(part);
    });
    this.checkWritable(b, call.key);
    const digest = createHash('md5');
    for (const p of parts) digest.update(Buffer.from(unquote(p.etag), 'hex'));
    const object: StoredObject = {
      body: Buffer.concat(parts.map((p) => p.body)),
      etag: `"${digest.digest('hex').toUpperCase()}-${parts.length}"`,
      lastModified: new Date(),
      type: 'Multipart',
      contentType: upload.contentType,
      encryption: upload.encryption,
    };
    b.objects.set(call.key, object);
    b.uploads.delete(upload.id);
    this.sendXml(
      call,
      'CompleteMultipartUploadResult',
      {
        Location: `http://${b.name}.oss-${b.region}.aliyuncs.com/${call.key}`,
        Bucket: b.name,
        Key: call.key,
        ETag: object.etag,
      },
      { ETag: object.etag, ...encryptionHeaders(object.encryption) },
    );
  }

  private abortUpload(call: Call, b: Bucket): void {
    b.uploads.delete(this.uploadOf(call, b).id);
    this.send(call, 204);
  }

  private listUploads(call: Call, b: Bucket): void {
    const q = call.query;
    const prefix = q.get('prefix') ?? '';
    const keyMarker = q.get('key-marker') ?? '';
    const idMarker = q.get('upload-id-marker') ?? '';
    const max = Math.min(Number(q.get('max-uploads') ?? '1000'), 1000);
    const enc = q.get('encoding-type') === 'url' ? encodeURIComponent : (s: string) => s;
    const all = [...b.uploads.values()]
      .filter((u) => u.key.startsWith(prefix))
      .filter((u) => u.key > keyMarker || (u.key === keyMarker && idMarker !== '' && u.id > idMarker))
      .sort((x, y) => byCodePoint(x.key, y.key) || byCodePoint(x.id, y.id));
    const page = all.slice(0, max);
    const last = page.at(-1);
    const truncated = all.length > page.length;
    this.sendXml(call, 'ListMultipartUploadsResult', {
      Bucket: b.name,
      KeyMarker: enc(keyMarker),
      UploadIdMarker: idMarker,
      NextKeyMarker: truncated && last ? enc(last.key) : undefined,
      NextUploadIdMarker: truncated ? last?.id : undefined,
      Prefix: enc(prefix),
      MaxUploads: max,
      IsTruncated: truncated,
      Upload: page.map((u) => ({ Key: enc(u.key), UploadId: u.id, Initiated: u.initiated.toISOString() })),
    });
  }

  private listParts(call: Call, b: Bucket): void {
    const upload = this.uploadOf(call, b);
    const marker = Number(call.query.get('part-number-marker') ?? '0');
    const max = Math.min(Number(call.query.get('max-parts') ?? '1000'), 1000);
    const all = [...upload.parts.entries()].filter(([n]) => n > marker).sort(([x], [y]) => x - y);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    this.sendXml(call, 'ListPartsResult', {
      Bucket: b.name,
      Key: upload.key,
      UploadId: upload.id,
      PartNumberMarker: marker,
      NextPartNumberMarker: truncated ? page.at(-1)?.[0] : undefined,
      MaxParts: max,
      IsTruncated: truncated,
      Part: page.map(([n, p]) => ({
        PartNumber: n,
        LastModified: p.lastModified.toISOString(),
        ETag: p.etag,
        Size: p.body.length,
      })),
    });
  }

  // --- bucket -----------------------------------------------------------------------------------

  private bucketInfo(call: Call, b: Bucket): void {
    this.sendXml(call, 'BucketInfo', {
      Bucket: {
        CreationDate: b.created.toISOString(),
        ExtranetEndpoint: `oss-${b.region}.aliyuncs.com`,
        IntranetEndpoint: `oss-${b.region}-internal.aliyuncs.com`,
        Location: `oss-${b.region}`,
        Name: b.name,
        StorageClass: b.storageClass,
        DataRedundancyType: 'LRS',
        AccessControlList: { Grant: 'private' },
        ServerSideEncryptionRule: { SSEAlgorithm: 'None' },
      },
    });
  }

  private bucketWorm(call: Call, b: Bucket): void {
    if (!b.worm)
      throw new OssError(404, 'NoSuchWORMConfiguration', 'The WORM Configuration does not exist.', {
        BucketName: b.name,
      });
    this.sendXml(call, 'WormConfiguration', {
      WormId: b.worm.id,
      State: b.worm.state,
      RetentionPeriodInDays: b.worm.days,
      CreationDate: b.worm.created.toISOString(),
    });
  }

  /** OSS refuses to delete or overwrite an object younger than the bucket's WORM retention. */
  private checkWritable(b: Bucket, key: string): void {
    const object = b.objects.get(key);
    if (!object || !b.worm) return;
    if (Date.now() - object.lastModified.getTime() < b.worm.days * DAY_MS)
      throw new OssError(409, 'FileImmutable', 'The object you specified is immutable.', { Key: key });
  }

  // --- responses --------------------------------------------------------------------------------

  private send(call: Call, status: number, headers: Record<string, string> = {}, body?: string): void {
    call.record.status = status;
    call.res.writeHead(status, body === undefined ? { ...headers, 'Content-Length': '0' } : headers);
    call.res.end(body);
  }

  private sendXml(call: Call, root: string, value: XmlObject, headers: Record<string, string> = {}): void {
    this.send(call, 200, { ...headers, 'Content-Type': 'application/xml' }, xmlDocument(root, value));
  }

  private sendError(call: Call, err: OssError): void {
    const xml = xmlDocument('Error', {
      Code: err.code,
      Message: err.message,
      RequestId: call.id,
      HostId: call.req.headers.host ?? '',
      ...err.extra,
    });
    call.record.status = err.status;
    if (call.res.headersSent) {
      call.req.socket.destroy();
      return;
    }
    if (call.req.method === 'HEAD') {
      // No body on HEAD: OSS puts the error document in a header instead.
      call.res.writeHead(err.status, { 'x-oss-err': Buffer.from(xml).toString('base64'), 'Content-Length': '0' });
      call.res.end();
      return;
    }
    call.res.writeHead(err.status, {
      'Content-Type': 'application/xml',
      'Content-Length': String(Buffer.byteLength(xml)),
    });
    call.res.end(xml);
  }
}

// --- request parsing ------------------------------------------------------------------------------

function address(host: string, rawPath: string): { bucket: string; key: string } {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const path = decodeURIComponent(rawPath);
  if (/^[\d.]+$/.test(hostname) || hostname.includes(':') || hostname === 'localhost') {
    const [, bucket = '', key = ''] = /^\/([^/]*)\/?(.*)$/s.exec(path) ?? [];
    return { bucket, key };
  }
  return { bucket: hostname.split('.')[0] ?? '', key: path.replace(/^\//, '') };
}

function operationOf(method: string, key: string, q: URLSearchParams): RequestRecord['operation'] {
  const has = (name: string) => q.has(name);
  if (key === '') {
    if (method === 'GET' && q.get('list-type') === '2') return 'ListObjectsV2';
    if (method === 'GET' && has('uploads')) return 'ListMultipartUploads';
    if (method === 'GET' && has('bucketInfo')) return 'GetBucketInfo';
    if (method === 'GET' && has('worm')) return 'GetBucketWorm';
    if (method === 'POST' && has('delete')) return 'DeleteMultipleObjects';
    return 'Unknown';
  }
  switch (method) {
    case 'PUT':
      if (has('uploadId') && has('partNumber')) return 'UploadPart';
      return q.size === 0 ? 'PutObject' : 'Unknown';
    case 'GET':
      return has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'DELETE':
      return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'InitiateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
  }
  return 'Unknown';
}

function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** VERB, Content-MD5, Content-Type, date, canonical x-oss- headers, then the resource. */
function v1StringToSign(call: Call, date: string): string {
  const h = call.req.headers;
  const ossHeaders = Object.keys(h)
    .filter((name) => name.startsWith('x-oss-'))
    .sort(byCodePoint)
    .map((name) => `${name}:${(header(h, name) ?? '').trim()}`);
  const subResources = [...call.query.entries()]
    .filter(([k]) => SUB_RESOURCES.has(k))
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  const resource = `/${call.bucket}/${call.key}${subResources.length ? `?${subResources.join('&')}` : ''}`;
  return [
    call.req.method ?? 'GET',
    header(h, 'content-md5') ?? '',
    header(h, 'content-type') ?? '',
    date,
    ...ossHeaders,
    resource,
  ].join('\n');
}

function parseV4Fields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return out;
}

/** `yyyymmddTHHMMSSZ`. */
function parseIsoBasic(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

function v4Signature(secret: string, credential: string, stringToSign: string): string {
  const [, day = '', region = ''] = credential.split('/');
  let key: Buffer = createHmac('sha256', `aliyun_v4${secret}`).update(day).digest();
  for (const step of [region, 'oss', 'aliyun_v4_request']) key = createHmac('sha256', key).update(step).digest();
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function checkMd5(call: Call): void {
  const md5 = header(call.req.headers, 'content-md5');
  if (md5 === undefined) return;
  if (createHash('md5').update(call.body).digest('base64') !== md5)
    throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.');
}

function encryptionOf(req: IncomingMessage): Encryption | undefined {
  const algorithm = header(req.headers, 'x-oss-server-side-encryption');
  const keyId = header(req.headers, 'x-oss-server-side-encryption-key-id');
  if (algorithm === undefined) {
    if (keyId !== undefined) throw new OssError(400, 'InvalidArgument', 'The key id requires KMS encryption.');
    return undefined;
  }
  if (!['AES256', 'KMS', 'SM4'].includes(algorithm))
    throw new OssError(400, 'InvalidEncryptionAlgorithmError', 'The encryption request you specified is not valid.');
  if (keyId !== undefined && algorithm !== 'KMS')
    throw new OssError(400, 'InvalidArgument', 'x-oss-server-side-encryption-key-id is only valid with KMS.');
  return keyId === undefined ? { algorithm } : { algorithm, keyId };
}

function encryptionHeaders(e: Encryption | undefined): Record<string, string> {
  if (!e) return {};
  const out: Record<string, string> = { 'x-oss-server-side-encryption': e.algorithm };
  if (e.keyId !== undefined) out['x-oss-server-side-encryption-key-id'] = e.keyId;
  return out;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` as inclusive [start, end]; undefined for none or unsatisfiable (OSS then sends it all). */
function rangeOf(value: string | undefined, size: number): [number, number] | undefined {
  const m = value && /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [start, end] =
    m[1] === ''
      ? [Math.max(0, size - Number(m[2])), size - 1]
      : [Number(m[1]), m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)];
  return start <= end && start < size ? [start, end] : undefined;
}

const quotedMd5 = (body: Buffer) => `"${createHash('md5').update(body).digest('hex').toUpperCase()}"`;
const unquote = (etag: string) => etag.replace(/^"|"$/g, '').toUpperCase();
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// --- XML ------------------------------------------------------------------------------------------

type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
interface XmlObject {
  [name: string]: XmlValue;
}

function xmlDocument(root: string, value: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element(root, value)}`;
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'object')
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function unescapeXml(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e[0] !== '#') return named[e.toLowerCase()] ?? '';
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { connect, createServer, type AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../lib/concurrency.js';
import { readAll } from '../lib/streams.js';
import {
  DEFAULT_CREDENTIAL,
  OssServer,
  type OssCredential,
  type RequestRecord,
  type StorageClass,
} from '../test/servers/oss-server.js';
import { ObjectNotFoundError, ObjectStoreError } from './backend.js';
import { objectStoreContract } from './object-store.contract.js';
import { OssObjectStore, type OssStoreOptions } from './oss.js';

let server: OssServer;
beforeAll(async () => {
  server = await OssServer.start();
});
afterAll(() => server.close());

let buckets = 0;
/** A fresh bucket on the local server. */
function bucket(options?: Parameters<OssServer['createBucket']>[1]): string {
  const name = `vault-${++buckets}`;
  server.createBucket(name, options);
  return name;
}

function store(name: string, options: Partial<OssStoreOptions> = {}): OssObjectStore {
  return new OssObjectStore({
    region: 'cn-hangzhou',
    bucket: name,
    endpoint: server.endpoint,
    credentials: DEFAULT_CREDENTIAL,
    backoffMs: 2,
    ...options,
  });
}

function subject(options: Partial<OssStoreOptions> = {}) {
  return async () => {
    const name = bucket();
    return {
      store: store(name, options),
      missingBucket: () => store(`absent-${name}`, options),
      cleanup: async () => server.deleteBucket(name),
    };
  };
}

async function failure(p: Promise<unknown>): Promise<ObjectStoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ObjectStoreError);
  return err as ObjectStoreError;
}

const KIB = 1024;
const chunked = (data: Buffer, size = 64 * KIB) =>
  Readable.from(
    Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)),
  );
const inBucket = (name: string) => (r: RequestRecord) => r.bucket === name;

objectStoreContract('oss (V4 signatures)', subject());
objectStoreContract('oss (V1 signatures)', subject({ signatureVersion: 'v1' }));

describe('with 10% of requests failing (500, 503, slow, reset, cut-off downloads)', () => {
  // Seeded: BC_OSS_FAULT_SEED replays a run's faults (request order permitting).
  beforeAll(() => server.setFaults({ rate: 0.1, seed: Number(process.env.BC_OSS_FAULT_SEED ?? 20), slowMs: 20 }));
  afterAll(() => server.setFaults(undefined));
  objectStoreContract('oss under faults', subject({ retries: 10 }));
  it('really was under faults, of every kind', () => {
    const faults = server.requests.map((r) => r.fault).filter((f) => f !== undefined);
    expect(faults.length).toBeGreaterThan(100);
    expect(new Set(faults)).toEqual(new Set(['error500', 'error503', 'slow', 'reset', 'truncate']));
  });
});

describe('OssObjectStore', () => {
  it.each([
    [undefined, 'V4'],
    ['v1', 'V1'],
  ] as const)(
    'signs %s as %s, naming the bucket in the Host header as ali-oss does for an IP endpoint',
    async (version, seen) => {
      const name = bucket();
      await store(name, { signatureVersion: version }).put('k', Buffer.from('x'));
      expect(server.requests.filter(inBucket(name))).toEqual([
        expect.objectContaining({
          operation: 'PutObject',
          signature: seen,
          host: `${name}.oss-cn-hangzhou-internal.aliyuncs.com`,
        }),
      ]);
    },
  );

  it.each([
    ['internal', 'oss-cn-hangzhou-internal.aliyuncs.com'],
    ['public', 'oss-cn-hangzhou.aliyuncs.com'],
  ] as const)('network %s talks to %s', async (network, host) => {
    const name = bucket();
    // Every connection goes to the local server, whatever host the client asked for.
    const agent = new Agent();
    Object.assign(agent, { createConnection: () => connect(server.port, '127.0.0.1') });
    const s = new OssObjectStore({
      region: 'cn-hangzhou',
      bucket: name,
      network,
      secure: false,
      agent,
      credentials: DEFAULT_CREDENTIAL,
    });
    expect(s.endpoint).toBe(`http://${host}`);
    await s.put('k', Buffer.from('x'));
    expect((await s.get('k')).toString()).toBe('x');
    expect(server.requests.filter(inBucket(name)).map((r) => r.host)).toEqual([`${name}.${host}`, `${name}.${host}`]);
    agent.destroy();
  });

  it('defaults to HTTPS on the internal endpoint; a custom endpoint overrides region and network', () => {
    const base = { region: 'cn-beijing', bucket: 'b-1', credentials: DEFAULT_CREDENTIAL };
    expect(new OssObjectStore(base).endpoint).toBe('https://oss-cn-beijing-internal.aliyuncs.com');
    expect(new OssObjectStore({ ...base, network: 'public' }).endpoint).toBe('https://oss-cn-beijing.aliyuncs.com');
    expect(new OssObjectStore({ ...base, network: 'public', endpoint: 'https://oss.example.com' }).endpoint).toBe(
      'https://oss.example.com',
    );
  });

  it.each(['http://169.254.169.254', 'http://100.100.100.200/latest', 'http://[fe80::1]:8080'])(
    'refuses the metadata endpoint %s unless allowed',
    (endpoint) => {
      const options = { region: 'cn-hangzhou', bucket: 'b-1', endpoint, credentials: DEFAULT_CREDENTIAL };
      expect(() => new OssObjectStore(options)).toThrow(/endpoint must not be .*(link-local|metadata)/);
      expect(() => new OssObjectStore({ ...options, allowMetadataEndpoints: true })).not.toThrow();
    },
  );

  it('keeps keys any characters make whole through listing (encoding-type=url)', async () => {
    const s = store(bucket());
    const keys = ['odd/a b+c%20d&e<f>"g\'', 'odd/ünïcødé/✓', 'odd/ctl\u0001x', 'odd/plus+/x'];
    for (const k of keys) await s.put(k, Buffer.from(k));
    const listed: string[] = [];
    for await (const k of s.list('odd/')) listed.push(k);
    expect(listed).toEqual([...keys].sort());
    expect(await s.listCommonPrefixes('odd/')).toEqual(['odd/plus+/', 'odd/ünïcødé/']);
    for (const k of keys) expect((await s.get(k)).toString()).toBe(k);
  });

  it('deletes a prefix in DeleteMultipleObjects batches of 1000', async () => {
    const name = bucket();
    const s = store(name);
    const keys = Array.from({ length: 1001 }, (_, i) => `backups/b1/${String(i).padStart(4, '0')}`);
    await mapLimit(keys, 16, (k) => s.put(k, Buffer.from('x')));
    await s.deletePrefix('backups/');
    expect(server.count('DeleteMultipleObjects', inBucket(name))).toBe(2);
    expect(server.keys(name)).toEqual([]);
  });

  describe('credentials', () => {
    afterEach(() => server.setCredentials([DEFAULT_CREDENTIAL]));

    it('a wrong secret is AccessDenied naming the bucket, with SignatureDoesNotMatch as the cause, not retried', async () => {
      const name = bucket();
      const s = store(name, { credentials: { ...DEFAULT_CREDENTIAL, accessKeySecret: 'wrong' } });
      const err = await failure(s.put('backups/b1/x', Buffer.from('x')));
      expect(err).toMatchObject({ operation: 'upload', failure: 'AccessDenied', key: 'backups/b1/x' });
      expect(err.message).toContain(`upload backup files to OSS bucket ${name} failed`);
      expect(err.cause).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
      expect(server.count('PutObject', inBucket(name))).toBe(1);
      // Answers without a body (HEAD, streamed GET) are refusals too.
      expect((await failure(s.exists('k'))).failure).toBe('AccessDenied');
      expect((await failure(s.getStream('k'))).failure).toBe('AccessDenied');
      expect(server.keys(name)).toEqual([]);
    });

    it('an unknown key is AccessDenied with InvalidAccessKeyId as the cause', async () => {
      const err = await failure(
        store(bucket(), { credentials: { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' } }).inspect(),
      );
      expect(err).toMatchObject({ operation: 'check', failure: 'AccessDenied' });
      expect(err.cause).toMatchObject({ code: 'InvalidAccessKeyId' });
    });

    it('takes the default chain from ALIBABA_CLOUD_* variables, STS token included', async () => {
      const sts: OssCredential = { accessKeyId: 'STS.env', accessKeySecret: 'env-secret', securityToken: 'env-token' };
      server.setCredentials([sts]);
      const vars = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
        ALIBABA_CLOUD_SECURITY_TOKEN: sts.securityToken,
      };
      Object.assign(process.env, vars);
      try {
        const s = store(bucket(), { credentials: undefined });
        await s.put('k', Buffer.from('x'));
        expect(await s.exists('k')).toBe(true);
      } finally {
        for (const name of Object.keys(vars)) delete process.env[name];
      }
    });

    it('asks its credential source before every request, so a renewed STS token is used', async () => {
      const token = (n: number): OssCredential => ({
        accessKeyId: `STS.${n}`,
        accessKeySecret: `s${n}`,
        securityToken: `t${n}`,
      });
      let current = token(1);
      server.setCredentials([current]);
      const s = store(bucket(), { credentials: { getCredential: async () => current } });
      await s.put('a', Buffer.from('1'));
      current = token(2); // the old token expired and the source renewed it
      server.setCredentials([current]);
      await s.put('b', Buffer.from('2'));
      expect(await s.exists('a')).toBe(true);
    });

    it('a source without credentials is AccessDenied before any request', async () => {
      const name = bucket();
      const s = store(name, { credentials: { getCredential: () => Promise.reject(new Error('no ECS metadata')) } });
      const err = await failure(s.get('k'));
      expect(err.failure).toBe('AccessDenied');
      expect(err.message).toMatch(/no credentials: no ECS metadata/);
      expect(server.requests.filter(inBucket(name))).toEqual([]);
    });
  });

  describe('server-side encryption', () => {
    it.each([
      [{ type: 'oss' as const }, { algorithm: 'AES256' }],
      [
        { type: 'kms' as const, keyId: 'kms-key-1' },
        { algorithm: 'KMS', keyId: 'kms-key-1' },
      ],
      [{ type: 'kms' as const }, { algorithm: 'KMS' }],
    ])('writes every object with %j', async (serverSideEncryption, expected) => {
      const name = bucket();
      const s = store(name, { serverSideEncryption, partSize: 100 * KIB });
      await s.put('buffer', Buffer.from('x'));
      await s.put('small-stream', chunked(Buffer.alloc(10)));
      await s.put('multipart', chunked(randomBytes(250 * KIB)));
      expect(server.object(name, 'multipart')?.type).toBe('Multipart');
      for (const key of ['buffer', 'small-stream', 'multipart'])
        expect(server.object(name, key)?.encryption).toEqual(expected);
    });
  });

  describe('uploads', () => {
    const PART = 100 * KIB;

    it('a stream ending within the first part is one PutObject', async () => {
      const name = bucket();
      await store(name, { partSize: PART }).put('k', chunked(randomBytes(PART)));
      expect(server.requests.filter(inBucket(name)).map((r) => r.operation)).toEqual(['PutObject']);
    });

    it('retries a failed part alone: the parts already uploaded are not sent again', async () => {
      const name = bucket();
      const data = randomBytes(5 * PART + 10); // 6 parts
      server.failNext('UploadPart', 'error503', { match: (r) => r.bucket === name && r.query.partNumber === '3' });
      server.failNext('UploadPart', 'reset', { match: (r) => r.bucket === name && r.query.partNumber === '5' });
      const s = store(name, { partSize: PART, parallelParts: 2 });
      await s.put('big', chunked(data));
      const parts = server.requests
        .filter((r) => r.bucket === name && r.operation === 'UploadPart')
        .map((r) => r.query.partNumber);
      expect(parts.sort()).toEqual(['1', '2', '3', '3', '4', '5', '5', '6']);
      expect(server.count('InitiateMultipartUpload', inBucket(name))).toBe(1);
      expect(server.count('CompleteMultipartUpload', inBucket(name))).toBe(1);
      expect(server.count('AbortMultipartUpload', inBucket(name))).toBe(0);
      expect((await s.get('big')).equals(data)).toBe(true);
    });

    it('a part failing past its retries aborts the upload, destroys the body and leaves nothing', async () => {
      const name = bucket();
      server.failNext('UploadPart', 'error500', {
        times: 100,
        match: (r) => r.bucket === name && r.query.partNumber === '2',
      });
      const body = new PassThrough();
      const upload = store(name, { partSize: PART, retries: 2 }).put('big', body);
      body.write(randomBytes(3 * PART));
      const err = await failure(upload);
      expect(err).toMatchObject({ operation: 'upload', failure: 'Other', key: 'big' });
      expect(err.cause).toMatchObject({ code: 'InternalError', status: 500 });
      expect(body.destroyed).toBe(true);
      expect(server.count('UploadPart', (r) => r.bucket === name && r.query.partNumber === '2')).toBe(3);
      expect(server.count('AbortMultipartUpload', inBucket(name))).toBe(1);
      expect(server.uploads(name)).toEqual([]);
      expect(server.keys(name)).toEqual([]);
    });

    it('retries 5xx answers of a single PUT', async () => {
      const name = bucket();
      server.failNext('PutObject', 'error503', { times: 2, match: inBucket(name) });
      await store(name).put('k', Buffer.from('x'));
      expect(server.count('PutObject', inBucket(name))).toBe(3);
    });
  });

  describe('downloads', () => {
    it('a download cut off mid-body resumes from where it broke, pinned to the ETag', async () => {
      const name = bucket();
      const s = store(name);
      const data = randomBytes(1024 * KIB);
      await s.put('k', data);
      server.failNext('GetObject', 'truncate', { match: inBucket(name) });
      expect((await readAll(await s.getStream('k'))).equals(data)).toBe(true);
      const gets = server.requests.filter((r) => r.bucket === name && r.operation === 'GetObject');
      expect(gets.map((r) => r.range)).toEqual([undefined, `bytes=${data.length / 2}-`]);
    });

    it('a download whose object was replaced meanwhile fails rather than splicing two objects', async () => {
      const name = bucket();
      const s = store(name);
      await s.put('k', Buffer.alloc(100 * KIB, 1));
      server.failNext('GetObject', 'truncate', { match: inBucket(name) });
      const stream = await s.getStream('k');
      await s.put('k', Buffer.alloc(100 * KIB, 2));
      const err = await failure(readAll(stream));
      expect(err).toMatchObject({ operation: 'download', key: 'k' });
      expect(err.cause).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    });

    it('a buffered get cut off mid-body is fetched again', async () => {
      const name = bucket();
      const s = store(name);
      await s.put('k', Buffer.alloc(100 * KIB, 3));
      server.failNext('GetObject', 'truncate', { match: inBucket(name) });
      expect((await s.get('k')).length).toBe(100 * KIB);
      expect(server.count('GetObject', inBucket(name))).toBe(2);
    });

    it('a missing key is ObjectNotFoundError, a missing bucket is not', async () => {
      const name = bucket();
      await expect(store(name).getStream('nope')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await failure(store(`absent-${name}`).getStream('nope'))).failure).toBe('BucketNotFound');
    });
  });

  describe('unreachable endpoints', () => {
    it('a refused connection is Unreachable after the retries', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      const err = await failure(store('vault-x', { endpoint: `http://127.0.0.1:${port}`, retries: 2 }).exists('k'));
      expect(err).toMatchObject({ operation: 'check', failure: 'Unreachable' });
      expect(err.message).toMatch(/endpoint unreachable/);
    });

    it('answers slower than the timeout are Unreachable after the retries', async () => {
      const name = bucket();
      server.setFaults({ rate: 0, slowMs: 300 });
      try {
        server.failNext('GetObject', 'slow', { times: 3, match: inBucket(name) });
        const err = await failure(store(name, { timeoutMs: 50, retries: 2 }).get('k'));
        expect(err).toMatchObject({ operation: 'download', failure: 'Unreachable' });
        expect(server.count('GetObject', inBucket(name))).toBe(3);
      } finally {
        server.setFaults(undefined);
      }
    });
  });

  describe('WORM (immutable vaults)', () => {
    const retention = { mode: 'compliance' as const, days: 1 };

    it('refuses to delete an object under retention, before asking OSS; the object stays', async () => {
      const name = bucket({ worm: { days: 1, state: 'Locked' } });
      const s = store(name, { retention });
      await s.put('backups/b1/a', Buffer.from('a'));
      await s.put('backups/b1/b', Buffer.from('b'));
      const err = await failure(s.delete('backups/b1/a'));
      expect(err).toMatchObject({ operation: 'delete', failure: 'Retained', key: 'backups/b1/a' });
      expect(err.message).toMatch(/backups\/b1\/a: the object is under retention/);
      const prefixErr = await failure(s.deletePrefix('backups/'));
      expect(prefixErr).toMatchObject({ failure: 'Retained', key: 'backups/b1/a' });
      expect(server.count('DeleteObject', inBucket(name)) + server.count('DeleteMultipleObjects', inBucket(name))).toBe(
        0,
      );
      expect(server.keys(name)).toEqual(['backups/b1/a', 'backups/b1/b']);
      // Past its retention an object goes like any other.
      server.backdate(name, 'backups/b1/a', 2 * 86_400_000);
      server.backdate(name, 'backups/b1/b', 2 * 86_400_000);
      await s.deletePrefix('backups/');
      expect(server.keys(name)).toEqual([]);
    });

    it("the bucket's own refusal (FileImmutable) is Retained too", async () => {
      const name = bucket({ worm: { days: 30, state: 'InProgress' } });
      const s = store(name);
      await s.put('k', Buffer.from('x'));
      for (const attempt of [() => s.delete('k'), () => s.deletePrefix(''), () => s.put('k', Buffer.from('again'))]) {
        const err = await failure(attempt());
        expect(err.failure).toBe('Retained');
        expect(err.cause).toMatchObject({ code: 'FileImmutable', status: 409 });
      }
      expect((await s.get('k')).toString()).toBe('x');
    });

    it('inspect() without permission to read the WORM policy reports the retention unknown', async () => {
      const allow = server.deny('GetBucketWorm');
      try {
        expect(await store(bucket({ worm: { days: 7, state: 'Locked' } })).inspect()).toEqual({
          storageClass: 'Standard',
        });
      } finally {
        allow();
      }
    });

    it('inspect() reports the WORM policy: none, unlocked, locked', async () => {
      expect((await store(bucket()).inspect()).retention).toEqual({ enabled: false, locked: false });
      expect((await store(bucket({ worm: { days: 7, state: 'InProgress' } })).inspect()).retention).toEqual({
        enabled: true,
        locked: false,
        days: 7,
      });
      expect((await store(bucket({ worm: { days: 365, state: 'Locked' } })).inspect()).retention).toEqual({
        enabled: true,
        locked: true,
        days: 365,
      });
    });
  });

  describe('storage classes', () => {
    it.each(['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as StorageClass[])(
      'inspect() reports %s',
      async (storageClass) => {
        expect((await store(bucket({ storageClass })).inspect()).storageClass).toBe(storageClass);
      },
    );

    it('an Archive bucket is visible through inspect() before its objects turn out unreadable', async () => {
      const s = store(bucket({ storageClass: 'Archive' }));
      expect(await s.inspect()).toMatchObject({ storageClass: 'Archive' });
      await s.put('k', Buffer.from('x'));
      expect(await s.exists('k')).toBe(true);
      const err = await failure(s.get('k'));
      expect(err.cause).toMatchObject({ code: 'InvalidObjectState' });
    });
  });

  describe('sweepStaging', () => {
    const PART = 100 * KIB;

    it('aborts only uploads untouched for olderThanMs under the prefix; their writer then fails', async () => {
      const name = bucket();
      const s = store(name, { partSize: PART });
      const body = new PassThrough();
      const upload = s.put('backups/b1/big', body);
      const other = new PassThrough();
      const otherUpload = s.put('restores/r1/big', other);
      body.write(randomBytes(3 * PART));
      other.write(randomBytes(3 * PART));
      await until(() => server.uploads(name).every((u) => u.parts.length >= 2) && server.uploads(name).length === 2);
      expect(await s.sweepStaging({ prefix: 'backups/', olderThanMs: 60_000 })).toBe(0);
      server.backdate(name, 'backups/b1/big', 120_000);
      server.backdate(name, 'restores/r1/big', 120_000);
      // A part written since makes an old upload live again.
      other.write(randomBytes(PART));
      await until(() => server.uploads(name).some((u) => u.key === 'restores/r1/big' && u.parts.length >= 4));
      expect(await s.sweepStaging({ prefix: '', olderThanMs: 60_000 })).toBe(1);
      expect(server.uploads(name).map((u) => u.key)).toEqual(['restores/r1/big']);
      body.end(randomBytes(PART));
      expect((await failure(upload)).cause).toMatchObject({ code: 'NoSuchUpload' });
      other.end();
      await otherUpload;
      expect(server.keys(name)).toEqual(['restores/r1/big']);
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The S3 backend against a real S3 server (versitygw, test/servers/versitygw.ts): the ObjectStore
// contract directly and through a proxy that fails a tenth of the requests, Object Lock, and how
// refused credentials, an unreachable store and metadata endpoints are reported.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readAll } from '../lib/streams.js';
import { freePort } from '../servers/process.js';
import { ALL_FAULTS, startFaultProxy, type FaultProxy } from '../test/servers/fault-proxy.js';
import { startVersitygw, type LocalS3 } from '../test/servers/versitygw.js';
import { ObjectStoreError } from './backend.js';
import { objectStoreContract } from './object-store.contract.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const FAULT_SEED = Number(process.env.BC_S3_FAULT_SEED ?? 20260101);
const MiB = 1024 * 1024;

let s3: LocalS3;
let proxy: FaultProxy;
let raw: S3Client;
const opened: S3ObjectStore[] = [];

beforeAll(async () => {
  s3 = await startVersitygw();
  // Delays up to 3 s against a 2 s request timeout (below): some requests time out and are retried.
  proxy = await startFaultProxy({ target: s3.endpoint, failureRate: 0.1, seed: FAULT_SEED, maxDelayMs: 3000 });
  raw = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
});
afterAll(async () => {
  for (const s of opened) s.destroy();
  raw?.destroy();
  await proxy?.stop();
  await s3?.stop();
});

let buckets = 0;
async function freshBucket(objectLock = false): Promise<string> {
  const name = `vault-${++buckets}-${randomBytes(3).toString('hex')}`;
  await s3.createBucket(name, { objectLock });
  return name;
}

function open(bucket: string, options: Partial<S3ObjectStoreOptions> = {}): S3ObjectStore {
  const store = new S3ObjectStore({
    bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    ...options,
  });
  opened.push(store);
  return store;
}

function contractThrough(endpoint: () => string, options: Partial<S3ObjectStoreOptions> = {}) {
  return async () => {
    const store = open(await freshBucket(), { endpoint: endpoint(), ...options });
    return {
      store,
      missingBucket: () => open('absent-bucket', { endpoint: endpoint(), ...options }),
      cleanup: async () => store.destroy(),
    };
  };
}

objectStoreContract(
  's3 (versitygw)',
  contractThrough(() => s3.endpoint),
);

objectStoreContract(
  `s3 (versitygw) through a proxy failing 10% of requests (seed ${FAULT_SEED})`,
  contractThrough(() => proxy.endpoint, { requestTimeoutMs: 2000 }),
);

describe('the contract run through the fault proxy', () => {
  it('met the faults, so the retries above were exercised', () => {
    const { requests, ...faults } = proxy.counts;
    expect(requests).toBeGreaterThan(1000);
    const injected = Object.values(faults).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(requests * 0.05);
    // A cut body needs a GET answering one, few in the contract: the resume test below cuts them all.
    for (const fault of ALL_FAULTS.filter((f) => f !== 'cut-response'))
      expect(proxy.counts[fault], fault).toBeGreaterThan(0);
  });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function failureOf(p: Promise<unknown>): Promise<ObjectStoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ObjectStoreError);
  return err as ObjectStoreError;
}

describe('S3ObjectStore on versitygw', () => {
  it('resumes a download cut off mid-body, every time, and delivers it byte for byte', async () => {
    const bucket = await freshBucket();
    const data = randomBytes(13 * MiB + 5);
    await open(bucket).put('backups/b1/b1.tar.gz', data);
    const cutter = await startFaultProxy({ target: s3.endpoint, failureRate: 1, faults: ['cut-response'] });
    try {
      const back = await readAll(await open(bucket, { endpoint: cutter.endpoint }).getStream('backups/b1/b1.tar.gz'));
      expect(sha256(back)).toBe(sha256(data));
      expect(cutter.counts['cut-response']).toBeGreaterThan(10); // each cut leaves half the rest
    } finally {
      await cutter.stop();
    }
  });

  it('a failed multipart upload aborts itself: no parts left behind', async () => {
    const bucket = await freshBucket();
    const store = open(bucket, { partSizeBytes: 5 * MiB, queueSize: 1 });
    const body = new PassThrough();
    const upload = store.put('backups/b1/b1.tar.gz', body);
    body.write(randomBytes(11 * MiB)); // two parts sent, the third pending
    await new Promise((r) => setTimeout(r, 300));
    expect((await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads).toHaveLength(1);
    body.destroy(new Error('producer died'));
    await expect(upload).rejects.toThrow('producer died');
    expect((await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    expect(await store.exists('backups/b1/b1.tar.gz')).toBe(false);
  });

  it('sweepStaging aborts incomplete multipart uploads under the prefix, by age of their last part', async () => {
    const bucket = await freshBucket();
    const store = open(bucket);
    const { UploadId } = await raw.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'backups/b1/x' }));
    await raw.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'backups/b1/x',
        UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(5 * MiB),
      }),
    );
    expect(await store.sweepStaging({ prefix: 'restores/' })).toBe(0);
    expect(await store.sweepStaging({ prefix: 'backups/', olderThanMs: 60_000 })).toBe(0);
    await new Promise((r) => setTimeout(r, 2100)); // the store's clock has whole seconds
    expect(await store.sweepStaging({ prefix: 'backups/', olderThanMs: 1000 })).toBe(1);
    expect((await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
  });

  it.each([
    [{ type: 'oss' as const }, 'AES256', undefined],
    [{ type: 'kms' as const, keyId: 'key-1' }, 'aws:kms', 'key-1'],
  ])('server-side encryption %j is asked for on every write, multipart included', async (sse, algorithm, keyId) => {
    // versitygw accepts the headers and does not encrypt: what the store is sent is what is checked.
    const writes: Array<{ method?: string; url?: string; sse: unknown; keyId: unknown }> = [];
    const recorder = await startFaultProxy({
      target: s3.endpoint,
      failureRate: 0,
      onRequest: (req) =>
        writes.push({
          method: req.method,
          url: req.url,
          sse: req.headers['x-amz-server-side-encryption'],
          keyId: req.headers['x-amz-server-side-encryption-aws-kms-key-id'],
        }),
    });
    try {
      const store = open(await freshBucket(), { endpoint: recorder.endpoint, serverSideEncryption: sse });
      await store.put('backups/b1/small', Buffer.from('x'));
      await store.put('backups/b1/big', randomBytes(9 * MiB));
      const starts = writes.filter((w) => w.method === 'PUT' && !w.url?.includes('uploadId='));
      const multipart = writes.filter((w) => w.method === 'POST' && w.url?.includes('uploads'));
      expect([...starts, ...multipart].map((w) => [w.sse, w.keyId])).toEqual([
        [algorithm, keyId],
        [algorithm, keyId],
      ]);
    } finally {
      await recorder.stop();
    }
  });

  describe('Object Lock', () => {
    it.each(['governance', 'compliance'] as const)(
      '%s: every object is written retained; a retained object is not deleted, and the refusal names it and the date',
      async (mode) => {
        const bucket = await freshBucket(true);
        const store = open(bucket, { retention: { mode, days: 1 } });
        const big = randomBytes(9 * MiB); // two parts: the multipart upload carries the retention too
        await store.put('backups/b1/velero-backup.json', Buffer.from('{}'));
        await store.put('backups/b1/b1.tar.gz', Readable.from([big.subarray(0, 5 * MiB), big.subarray(5 * MiB)]));
        for (const key of ['backups/b1/velero-backup.json', 'backups/b1/b1.tar.gz']) {
          const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          expect(head.ObjectLockMode).toBe(mode.toUpperCase());
          const until = head.ObjectLockRetainUntilDate!.getTime();
          expect(Math.abs(until - (Date.now() + 24 * 3600_000))).toBeLessThan(60_000);
        }

        const err = await failureOf(store.delete('backups/b1/velero-backup.json'));
        expect(err.operation).toBe('delete');
        expect(err.failure).toBe('Retained');
        expect(err.message).toMatch(
          new RegExp(
            `S3 bucket ${bucket} failed: backups/b1/velero-backup.json: .*retained until \\d{4}-\\d\\d-\\d\\dT`,
          ),
        );
        const prefixErr = await failureOf(store.deletePrefix('backups/'));
        expect(prefixErr.failure).toBe('Retained');

        expect(await store.exists('backups/b1/velero-backup.json')).toBe(true);
        expect(sha256(await store.get('backups/b1/b1.tar.gz'))).toBe(sha256(big));
        const keys: string[] = [];
        for await (const k of store.list('')) keys.push(k);
        expect(keys).toEqual(['backups/b1/b1.tar.gz', 'backups/b1/velero-backup.json']);
      },
    );

    it('an object whose retention has ended is deleted', async () => {
      const bucket = await freshBucket(true);
      const store = open(bucket, { retention: { mode: 'governance', days: 1 } });
      await raw.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'backups/old/x',
          Body: 'x',
          ObjectLockMode: 'GOVERNANCE',
          ObjectLockRetainUntilDate: new Date(Date.now() + 1500),
        }),
      );
      await new Promise((r) => setTimeout(r, 2000));
      await store.deletePrefix('backups/old/');
      expect(await store.exists('backups/old/x')).toBe(false);
    });

    it('inspect() reports what the bucket enforces: lock enabled, and a default retention rule', async () => {
      const plain = await freshBucket();
      expect(await open(plain).inspect()).toEqual({ retention: { enabled: false, locked: false } });
      const locked = await freshBucket(true);
      expect(await open(locked).inspect()).toEqual({ retention: { enabled: true, locked: false } });
      await raw.send(
        new PutObjectLockConfigurationCommand({
          Bucket: locked,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
          },
        }),
      );
      expect(await open(locked).inspect()).toEqual({ retention: { enabled: true, locked: true, days: 30 } });
    });
  });

  describe('failures name the bucket and what went wrong', () => {
    it.each([
      ['a wrong secret', { accessKeyId: 'test-access-key', secretAccessKey: 'wrong' }],
      ['an unknown access key', { accessKeyId: 'nobody', secretAccessKey: 'wrong' }],
    ])('%s is AccessDenied, on reads and writes', async (_what, credentials) => {
      const bucket = await freshBucket();
      const store = open(bucket, { credentials });
      const listed = await failureOf(store.listCommonPrefixes(''));
      expect(listed.failure).toBe('AccessDenied');
      expect(listed.operation).toBe('check');
      expect(listed.message).toContain(`S3 bucket ${bucket} failed: access denied`);
      const put = await failureOf(store.put('backups/b1/x', Buffer.from('x')));
      expect(put.failure).toBe('AccessDenied');
      expect(put.message).toContain(`upload backup files to S3 bucket ${bucket} failed: backups/b1/x: access denied`);
      expect((await failureOf(store.exists('backups/b1/x'))).failure).toBe('AccessDenied');
    });

    it('a port nobody listens on is Unreachable, after the retries', async () => {
      const store = open('b', { endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 2 });
      const err = await failureOf(store.get('backups/b1/velero-backup.json'));
      expect(err.failure).toBe('Unreachable');
      expect(err.message).toContain('download backup files from S3 bucket b failed: backups/b1/velero-backup.json');
      expect((err.cause as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(2);
    });

    it('a store that accepts connections but never answers is Unreachable once the request times out', async () => {
      const sockets: Socket[] = [];
      const silent: Server = createServer((s) => sockets.push(s));
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
      try {
        const { port } = silent.address() as { port: number };
        const store = open('b', { endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2, requestTimeoutMs: 300 });
        expect((await failureOf(store.listCommonPrefixes(''))).failure).toBe('Unreachable');
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => silent.close(r));
      }
    });

    it.each(['http://169.254.169.254', 'http://169.254.170.2:80', 'http://[fd00:ec2::254]', 'http://[fe80::1]:9000'])(
      'refuses the metadata or link-local endpoint %s unless allowed',
      (endpoint) => {
        expect(() => new S3ObjectStore({ bucket: 'b', endpoint })).toThrow(
          /^S3 endpoint must not be a link-local or cloud metadata address/,
        );
        open('b', { endpoint, allowMetadataEndpoints: true });
      },
    );
  });
});

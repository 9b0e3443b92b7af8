// A real S3 server for the S3 backend's tests: versitygw (Apache-2.0) over a posix directory,
// built by scripts/tools.sh --test and found through BC_VERSITYGW_BIN.
//
// --versioning-dir lets a bucket created with object lock turn versioning on, as AWS does (object
// lock implies versioning). Without it versitygw refuses every delete of a locked object itself;
// with it a plain delete adds a delete marker, as on AWS, so the backend's own refusal is what a
// test of retention sees.
//
// --iam-dir: with its default single-user IAM versitygw answers an unknown access key with 404
// XAdminUserNotFound; with the internal IAM service it answers 403 InvalidAccessKeyId, as AWS does.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, startProcess, waitFor } from '../../servers/process.js';

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: path-style addressing only. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where versitygw writes its output; kept after stop(), the buckets are not. */
  logFile: string;
  createBucket(name: string, options?: { objectLock?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startVersitygw(): Promise<LocalS3> {
  const bin = process.env.BC_VERSITYGW_BIN;
  if (!bin)
    throw new Error(
      'BC_VERSITYGW_BIN is not set: run the tests through `npm test`, or eval "$(bash scripts/setup.sh --test)" first',
    );
  const dir = await mkdtemp(join(tmpdir(), 'versitygw-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = 'test-access-key';
  const secretAccessKey = 'test-secret-key';
  const logFile = join(dir, 'versitygw.log');
  const data = ['root', 'versions', 'iam'];
  for (const d of data) await mkdir(join(dir, d));
  const proc = startProcess(
    'versitygw',
    bin,
    [
      '--access',
      accessKeyId,
      '--secret',
      secretAccessKey,
      '--port',
      `127.0.0.1:${port}`,
      '--health',
      '/health',
      '--quiet',
      '--iam-dir',
      join(dir, 'iam'),
      'posix',
      '--versioning-dir',
      join(dir, 'versions'),
      join(dir, 'root'),
    ],
    logFile,
  );
  const stop = async () => {
    await proc.stop();
    for (const d of data) await rm(join(dir, d), { recursive: true, force: true });
  };
  try {
    await waitFor('versitygw to answer', async () => (await fetch(`${endpoint}/health`)).ok, {
      timeoutMs: 30_000,
      managed: [proc],
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  return {
    endpoint,
    accessKeyId,
    secretAccessKey,
    logFile,
    async createBucket(name, options) {
      await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: options?.objectLock }));
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}

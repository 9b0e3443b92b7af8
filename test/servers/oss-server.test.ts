// The local OSS server's own checks, driven by the real ali-oss SDK: a signature it accepts must be
// one it could have refused, or every OSS backend test built on it proves nothing about signing.

import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CREDENTIAL, OssServer } from './oss-server.js';

let server: OssServer;
beforeAll(async () => {
  server = await OssServer.start();
  server.createBucket('signed-bucket');
});
afterAll(() => server.close());

interface Urllib {
  request(url: string, params: { headers: Record<string, string> }): Promise<unknown>;
}

/** An ali-oss client; `tamper` edits each request after ali-oss signed it. */
function client(
  version: 'V1' | 'V4',
  options: Partial<OSS.Options> & { tamper?: (url: string, headers: Record<string, string>) => string } = {},
): OSS {
  const { tamper, ...rest } = options;
  const base = {
    ...DEFAULT_CREDENTIAL,
    bucket: 'signed-bucket',
    endpoint: server.endpoint,
    region: 'oss-cn-hangzhou',
    authorizationV4: version === 'V4',
    ...rest,
  };
  if (!tamper) return new OSS(base);
  const real = (new OSS(base) as unknown as { urllib: Urllib }).urllib;
  const urllib: Urllib = { request: (url, params) => real.request(tamper(url, params.headers), params) };
  return new OSS({ ...base, urllib } as OSS.Options);
}

async function failure(p: Promise<unknown>): Promise<{ status?: number; code?: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { status?: number; code?: string; message: string },
  );
}

describe.each(['V1', 'V4'] as const)('OSS server, %s signatures', (version) => {
  it('accepts what ali-oss signs: objects, listing, multipart, bucket info', async () => {
    const oss = client(version);
    await oss.put(`${version}/a b+c&d.json`, Buffer.from('{}'));
    expect((await oss.get(`${version}/a b+c&d.json`)).content.toString()).toBe('{}');
    const listed = await oss.listV2({ prefix: `${version}/`, 'max-keys': 10 });
    expect(listed.objects.map((o) => o.name)).toEqual([`${version}/a b+c&d.json`]);
    const { uploadId } = await oss.initMultipartUpload(`${version}/big`);
    const part = await oss.uploadPart(`${version}/big`, uploadId, 1, Buffer.alloc(10, 1), 0, 10);
    await oss.completeMultipartUpload(`${version}/big`, uploadId, [{ number: 1, etag: part.etag }]);
    await oss.deleteMulti([`${version}/big`]);
    expect(server.keys('signed-bucket')).toContain(`${version}/a b+c&d.json`);
    expect(server.keys('signed-bucket')).not.toContain(`${version}/big`);
    expect(await oss.getBucketInfo('signed-bucket')).toMatchObject({ bucket: { StorageClass: 'Standard' } });
    expect(server.requests.filter((r) => r.status < 300).every((r) => r.signature !== undefined)).toBe(true);
    expect(server.requests.at(-1)?.signature).toBe(version);
  });

  it('refuses a wrong secret, an unknown key and a skewed clock as OSS does', async () => {
    const wrongSecret = await failure(client(version, { accessKeySecret: 'not-the-secret' }).get('x'));
    expect(wrongSecret).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(await failure(client(version, { accessKeyId: 'LTAI-unknown' }).get('x'))).toMatchObject({
      status: 403,
      code: 'InvalidAccessKeyId',
    });
    const skewed = client(version, { amendTimeSkewed: 20 * 60_000 } as Partial<OSS.Options>);
    expect(await failure(skewed.get('x'))).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
  });

  it.each([
    ['the object key', (url: string) => url.replace('/victim', '/victim2')],
    ['a sub-resource', (url: string) => url.replace('uploadId=', 'uploadId=X')],
    ['a signed x-oss- header', (url: string, h: Record<string, string>) => ((h['x-oss-meta-who'] = 'mallory'), url)],
    ['the content type', (url: string, h: Record<string, string>) => ((h['Content-Type'] = 'text/html'), url)],
    [
      'the date',
      (url: string, h: Record<string, string>) => ((h['x-oss-date'] = shiftDate(h['x-oss-date'] ?? '')), url),
    ],
  ])('refuses a request whose %s changed after signing', async (_what, tamper) => {
    const honest = client(version);
    const { uploadId } = await honest.initMultipartUpload('victim', { mime: 'application/json' });
    const tampered = client(version, { tamper });
    const err = await failure(
      tampered.uploadPart('victim', uploadId, 1, Buffer.from('x'), 0, 1, {
        headers: { 'x-oss-meta-who': 'alice', 'Content-Type': 'application/json' },
      } as OSS.RequestOptions),
    );
    expect(err).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    // The same request untampered goes through: the refusal was the signature's doing.
    await honest.uploadPart('victim', uploadId, 1, Buffer.from('x'), 0, 1, {
      headers: { 'x-oss-meta-who': 'alice', 'Content-Type': 'application/json' },
    } as OSS.RequestOptions);
    await honest.abortMultipartUpload('victim', uploadId);
  });

  it('records server-side encryption and echoes it on writes and reads', async () => {
    const oss = client(version);
    const sse = { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-encryption-key-id': 'key-9' };
    const put = await oss.put(`${version}/sse`, Buffer.from('x'), { headers: sse });
    expect(put.res.headers).toMatchObject(sse);
    expect((await oss.head(`${version}/sse`)).res.headers).toMatchObject(sse);
    expect(server.object('signed-bucket', `${version}/sse`)?.encryption).toEqual({ algorithm: 'KMS', keyId: 'key-9' });
    const refused = oss.put(`${version}/sse2`, Buffer.from('x'), {
      headers: { 'x-oss-server-side-encryption': 'DES' },
    });
    expect(await failure(refused)).toMatchObject({ status: 400, code: 'InvalidEncryptionAlgorithmError' });
  });

  it('names a missing bucket NoSuchBucket in an OSS error document', async () => {
    const oss = client(version, { bucket: 'no-such-bucket' });
    const err = await failure(oss.listV2({ 'max-keys': 1 }));
    expect(err).toMatchObject({ status: 404, code: 'NoSuchBucket' });
    expect(err).toHaveProperty('requestId');
  });

  it('requires the STS token of temporary credentials, and only then', async () => {
    const sts = { accessKeyId: 'STS.test', accessKeySecret: 'sts-secret', securityToken: 'token-1' };
    server.setCredentials([DEFAULT_CREDENTIAL, sts]);
    try {
      const quiet = { refreshSTSTokenInterval: 3_600_000 };
      await client(version, { ...sts, stsToken: 'token-1', ...quiet }).put('sts', Buffer.from('x'));
      expect(await failure(client(version, { ...sts, stsToken: 'token-0', ...quiet }).get('sts'))).toMatchObject({
        status: 403,
        code: 'InvalidSecurityToken',
      });
      expect(await failure(client(version, sts).get('sts'))).toMatchObject({ status: 403 });
    } finally {
      server.setCredentials([DEFAULT_CREDENTIAL]);
    }
  });
});

function shiftDate(value: string): string {
  const basic = /^(\d{8}T\d{4})(\d{2})Z$/.exec(value);
  if (basic) return `${basic[1]}${String((Number(basic[2]) + 1) % 60).padStart(2, '0')}Z`;
  return new Date(Date.parse(value) + 1000).toUTCString();
}

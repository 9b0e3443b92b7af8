// Velero stores every side file as gzip-compressed JSON (`.json.gz`, `-results.gz`).

import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export async function gzipJson(value: unknown): Promise<Buffer> {
  return gzipAsync(Buffer.from(JSON.stringify(value)));
}

export async function gunzipJson(body: Buffer): Promise<unknown> {
  return JSON.parse((await gunzipAsync(body)).toString('utf8')) as unknown;
}

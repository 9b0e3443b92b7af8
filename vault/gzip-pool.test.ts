import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GzipPool } from './gzip-pool.js';

describe('GzipPool', () => {
  it('compresses many members side by side, each a gzip stream of its input', async () => {
    const pool = new GzipPool(2);
    const inputs = Array.from({ length: 40 }, (_, i) => Buffer.concat([randomBytes(1024), Buffer.alloc(64 * 1024, i)]));
    const expected = inputs.map((b) => Buffer.from(b));
    const members = await Promise.all(inputs.map((b) => pool.gzip(b, 3)));
    members.forEach((m, i) => expect(gunzipSync(m).equals(expected[i]!)).toBe(true));
    // Concatenated members read back as the concatenated inputs: what the archive relies on.
    expect(gunzipSync(Buffer.concat(members)).equals(Buffer.concat(expected))).toBe(true);
  });

  it('moves large buffers to the worker and copies small ones, which stay usable', async () => {
    const pool = new GzipPool(1);
    const large = Buffer.allocUnsafe(256 * 1024).fill(7);
    await pool.gzip(large, 1);
    expect(large.buffer.byteLength).toBe(0); // transferred: the caller gave it up

    const small = Buffer.from('shared allocation pool');
    const member = await pool.gzip(small, 1);
    expect(small.toString()).toBe('shared allocation pool');
    expect(gunzipSync(member).toString()).toBe('shared allocation pool');
  });

  it('does not keep the process alive when idle', async () => {
    // A pool's workers are unref'ed between jobs; a script that compressed once still exits.
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { GzipPool } from ${JSON.stringify(new URL('./gzip-pool.ts', import.meta.url).pathname)};
      const m = await new GzipPool(1).gzip(Buffer.alloc(100000, 1), 3);
      console.log(m.length > 0 ? 'ok' : 'empty');`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    expect(out.toString().trim()).toBe('ok');
  });
});

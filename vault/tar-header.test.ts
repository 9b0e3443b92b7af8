import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileHeaderWriter, fileHeader, pathBytes } from './tar-header.js';

const mtime = new Date('2026-11-27T10:00:00Z');
const headers = new FileHeaderWriter(mtime.getTime() / 1000);
const json = pathBytes('.json')!;

describe('FileHeaderWriter', () => {
  it('writes the same header as fileHeader for every short ASCII path and size (property)', () => {
    const ascii = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 70,
    });
    fc.assert(
      fc.property(ascii, ascii, fc.integer({ min: 0, max: 8 ** 11 - 1 }), fc.nat(3), (dir, name, size, at) => {
        const target = Buffer.alloc(4 * 512, 0xff);
        const written = headers.write(target, at * 512, pathBytes(dir)!, name, json, size);
        const path = `${dir}${name}.json`;
        expect(written).toBe(path.length <= 100);
        if (written) expect(target.subarray(at * 512, at * 512 + 512)).toEqual(fileHeader(path, size, mtime));
      }),
    );
  });

  it('refuses a non-ASCII name, which needs a PAX record', () => {
    const target = Buffer.alloc(512);
    expect(headers.write(target, 0, pathBytes('resources/')!, 'café', json, 10)).toBe(false);
    expect(headers.write(target, 0, pathBytes('resources/')!, '設定-Ā', json, 10)).toBe(false);
    expect(pathBytes('namespaces/Ła/')).toBeUndefined();
  });

  it('throws for a size the header cannot hold', () => {
    expect(() => headers.write(Buffer.alloc(512), 0, pathBytes('a/')!, 'b', json, 8 ** 11)).toThrow(RangeError);
  });
});

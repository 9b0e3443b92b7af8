// Encodes tar (ustar + PAX) entry headers. The archive writer frames entries itself instead of
// going through a general tar library, because a backup writes tens of thousands of small
// entries and per-entry stream machinery cost more than listing the objects from the API.

const BLOCK = 512;

/** The header block(s) of a regular file: ustar, preceded by a PAX record when the path does not fit. */
export function fileHeader(path: string, size: number, mtime: Date): Buffer {
  const split = splitUstarName(path);
  const mtimeSec = Math.floor(mtime.getTime() / 1000);
  if (split) return ustarHeader(split.name, split.prefix, size, mtimeSec, '0');
  // PAX extended header: a `path=` record carries the full name; the ustar name is a truncated stand-in.
  const record = paxRecord('path', path);
  const pax = Buffer.concat([
    ustarHeader('PaxHeader', '', record.length, mtimeSec, 'x'),
    record,
    padding(record.length),
  ]);
  return Buffer.concat([
    pax,
    ustarHeader(Buffer.from(path).subarray(0, 99).toString('latin1'), '', size, mtimeSec, '0'),
  ]);
}

/**
 * Writes the single-block ustar header of a regular file straight into `target` at `offset` and
 * returns true, or returns false when the path needs a PAX record (use fileHeader then). The
 * backup writes two headers per object, so this avoids a buffer per header.
 */
export function writeUstarFileHeader(
  target: Buffer,
  offset: number,
  path: string,
  size: number,
  mtimeSec: number,
): boolean {
  if (path.length > 100) {
    const split = splitUstarName(path);
    if (!split) return false;
    writeUstar(target, offset, split.name, split.prefix, size, mtimeSec, '0');
    return true;
  }
  // The common case: the path is written, then its bytes are summed and checked for ASCII (a
  // non-ASCII path needs PAX, UTF-8; what was written here is left to be overwritten).
  target.set(TEMPLATE, offset);
  if (target.write(path, offset, 100, 'utf8') !== path.length) return false;
  let sum = TEMPLATE_SUM + TYPE_FILE;
  for (let i = offset, end = offset + path.length; i < end; i++) {
    const c = target[i]!;
    if (c > 0x7f) return false;
    sum += c;
  }
  target[offset + 156] = TYPE_FILE;
  sum += octal(target, offset + 124, 12, size) + octal(target, offset + 136, 12, mtimeSec);
  octal(target, offset + 148, 8, sum);
  return true;
}

/** Zero bytes that round `size` up to the next block. */
function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? EMPTY : ZEROS.subarray(0, BLOCK - rest);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);
const EMPTY = Buffer.alloc(0);
// Shared and never written to: callers only copy from it (Buffer.concat).
const ZEROS = Buffer.alloc(BLOCK);

function splitUstarName(path: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(path) !== path.length) return undefined; // non-ASCII: PAX (UTF-8)
  if (path.length <= 100) return { name: path, prefix: '' };
  // Split at a slash so that prefix <= 155 and name <= 100.
  for (let i = path.length - 101; i < path.length; i++) {
    if (i >= 0 && path[i] === '/' && i <= 155 && path.length - i - 1 <= 100) {
      return { prefix: path.slice(0, i), name: path.slice(i + 1) };
    }
  }
  return undefined;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLen = Buffer.byteLength(body);
  // The length prefix counts itself.
  let len = bodyLen + String(bodyLen).length;
  if (String(len).length !== String(bodyLen).length) len = bodyLen + String(len).length;
  return Buffer.from(`${len}${body}`);
}

// The fields every entry shares (mode, owner, magic), filled once; each header starts as a copy.
const TEMPLATE = (() => {
  const h = Buffer.alloc(BLOCK);
  octal(h, 100, 8, 0o644);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  h.fill(' ', 148, 156); // checksum is computed with its own field as spaces
  h.write('ustar\u000000', 257, 8, 'latin1');
  return h;
})();
const TEMPLATE_SUM = TEMPLATE.reduce((a, b) => a + b, 0);
const TYPE_FILE = 0x30; // '0'

function ustarHeader(name: string, prefix: string, size: number, mtime: number, type: string): Buffer {
  const h = Buffer.allocUnsafe(BLOCK);
  writeUstar(h, 0, name, prefix, size, mtime, type);
  return h;
}

function writeUstar(
  h: Buffer,
  at: number,
  name: string,
  prefix: string,
  size: number,
  mtime: number,
  type: string,
): void {
  // set, not copy: Buffer#copy allocates a view per call, and this runs twice per object.
  h.set(TEMPLATE, at);
  h.write(name, at, 100, 'latin1');
  octal(h, at + 124, 12, size);
  octal(h, at + 136, 12, mtime);
  h.write(type, at + 156, 1, 'latin1');
  if (prefix) h.write(prefix, at + 345, 155, 'latin1');
  // Only the fields written above differ from the template, whose sum is known.
  let sum = TEMPLATE_SUM + h[at + 156]!;
  for (let i = at, end = at + name.length; i < end; i++) sum += h[i]!;
  for (let i = at + 124, end = at + 148; i < end; i++) sum += h[i]!;
  for (let i = at + 345, end = at + 345 + prefix.length; i < end; i++) sum += h[i]!;
  octal(h, at + 148, 8, sum);
}

/**
 * `length - 1` zero-padded octal digits and a NUL; returns the sum of the bytes written. Digits are
 * written directly, as this runs three times per entry.
 */
function octal(buf: Buffer, offset: number, length: number, value: number): number {
  let rest = value;
  let sum = 0;
  for (let i = offset + length - 2; i >= offset; i--) {
    const digit = 0x30 + (rest % 8);
    buf[i] = digit;
    sum += digit;
    rest = Math.floor(rest / 8);
  }
  if (rest !== 0) throw new RangeError(`${value} does not fit a ${length}-byte tar header field`);
  buf[offset + length - 1] = 0;
  return sum;
}

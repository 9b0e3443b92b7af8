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

/** A path piece as ASCII bytes with their sum, for headers assembled piece by piece. */
export interface PathBytes {
  text: string;
  bytes: Buffer;
  sum: number;
}

/** The piece's bytes, or undefined when it is not ASCII (such paths need PAX records, UTF-8). */
export function pathBytes(text: string): PathBytes | undefined {
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return undefined;
    sum += c;
  }
  return { text, bytes: Buffer.from(text, 'latin1'), sum };
}

/**
 * Writes single-block ustar headers of regular files sharing one mtime straight into a buffer, as a
 * backup writes two per object: the shared fields come from a template with their checksum summed
 * once, a path arrives as a directory and a suffix already in bytes plus the name between them,
 * and only the size's significant digits are written.
 */
export class FileHeaderWriter {
  private readonly template = Buffer.alloc(BLOCK);
  private readonly templateSum: number;

  constructor(mtimeSec: number) {
    const h = this.template;
    h.set(TEMPLATE);
    octal(h, 124, 12, 0);
    octal(h, 136, 12, mtimeSec);
    h[156] = TYPE_FILE;
    this.templateSum = h.reduce((a, b) => a + b, 0);
  }

  /**
   * Writes the header of `dir.text + name + suffix.text` of `size` bytes at `offset` and returns
   * true; false when that path does not fit the 100-byte name field or is not ASCII (fileHeader
   * then). What was written is then left to be overwritten.
   */
  write(target: Buffer, offset: number, dir: PathBytes, name: string, suffix: PathBytes, size: number): boolean {
    const n = name.length;
    if (dir.bytes.length + n + suffix.bytes.length > 100) return false;
    target.set(this.template, offset);
    target.set(dir.bytes, offset);
    let at = offset + dir.bytes.length;
    let sum = this.templateSum + dir.sum + suffix.sum;
    for (let i = 0; i < n; i++) {
      const c = name.charCodeAt(i);
      if (c > 0x7f) return false;
      target[at++] = c;
      sum += c;
    }
    target.set(suffix.bytes, at);
    // The template's size field is all '0' digits: each significant digit adds its value to the sum.
    let rest = size;
    for (let i = offset + 134; rest > 0; i--) {
      if (i < offset + 124) throw new RangeError(`${size} does not fit a tar header's size field`);
      const digit = rest % 8;
      target[i] = 0x30 + digit;
      sum += digit;
      rest = Math.floor(rest / 8);
    }
    octal(target, offset + 148, 8, sum);
    return true;
  }
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

/** `length - 1` zero-padded octal digits and a NUL; digits are written directly. */
function octal(buf: Buffer, offset: number, length: number, value: number): void {
  let rest = value;
  for (let i = offset + length - 2; i >= offset; i--) {
    buf[i] = 0x30 + (rest % 8);
    rest = Math.floor(rest / 8);
  }
  if (rest !== 0) throw new RangeError(`${value} does not fit a ${length}-byte tar header field`);
  buf[offset + length - 1] = 0;
}

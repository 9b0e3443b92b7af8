// A backup writes each object's JSON as the API server sent it instead of parsing and re-serializing
// it: JSON.parse of a whole list page followed by a JSON.stringify per object costs more CPU than the
// download itself on large clusters, and allocates every object twice. So a page is scanned once as
// bytes to find where each top-level item begins and ends; only the small metadata object is parsed.
//
// The scan relies on UTF-8 never using bytes below 0x80 inside a multi-byte character, so quotes,
// brackets and separators can be recognised byte by byte without decoding.

export interface RawListPage {
  /** Each item's JSON text, as subarrays of the response body (no copy). */
  items: Buffer[];
  /** metadata.continue; an empty token means the last page, as it does for the API server. */
  continue: string | undefined;
  resourceVersion: string | undefined;
  remainingItemCount: number | undefined;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function fail(what: string): never {
  throw new Error(`malformed list response: ${what}`);
}

function found(body: Buffer, pos: number): string {
  const c = body[pos];
  if (c === undefined) return 'end of body';
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function skipWhitespace(body: Buffer, pos: number): number {
  const len = body.length;
  while (pos < len) {
    const c = body[pos]!;
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    pos++;
  }
  return pos;
}

/** `pos` is just past the opening quote; returns the index just past the closing quote. */
function skipString(body: Buffer, pos: number): number {
  for (;;) {
    const q = body.indexOf(QUOTE, pos);
    if (q === -1) fail(`unterminated string before byte ${pos}`);
    // A quote is escaped when an odd number of backslashes precedes it; the run cannot reach past
    // the opening quote.
    let b = q - 1;
    while (body[b] === BACKSLASH) b--;
    if (((q - 1 - b) & 1) === 0) return q + 1;
    pos = q + 1;
  }
}

// Expected closing bytes of the open containers. Shared because the scan is synchronous, and grown
// on demand since real objects rarely nest more than a few dozen levels.
let closers = new Uint8Array(64);

/** `pos` is at an opening brace or bracket; returns the index just past its matching close. */
function skipContainer(body: Buffer, pos: number): number {
  const len = body.length;
  let depth = 0;
  let i = pos;
  while (i < len) {
    const c = body[i]!;
    if (c === QUOTE) {
      i = skipString(body, i + 1);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === closers.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(closers);
        closers = grown;
      }
      closers[depth++] = c + 2; // '{' + 2 = '}', '[' + 2 = ']'
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (closers[--depth] !== c) fail(`mismatched ${found(body, i)} at byte ${i}`);
      if (depth === 0) return i + 1;
    }
    i++;
  }
  fail(`unexpected end of body in the value starting at byte ${pos}`);
}

function parseSlice(body: Buffer, start: number, end: number, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8', start, end));
  } catch (err) {
    fail(`invalid ${what} at byte ${start}: ${(err as Error).message}`);
  }
}

/** Skips a number or literal; returns the index just past it. */
function skipScalar(body: Buffer, pos: number): number {
  const len = body.length;
  let end = pos;
  while (end < len) {
    const c = body[end]!;
    if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c === SPACE || c === LF || c === CR || c === TAB) {
      break;
    }
    end++;
  }
  if (end === pos) fail(`expected a value at byte ${pos}, found ${found(body, pos)}`);
  // Scalars are rare at the levels walked here (items are objects), so validating them is cheap.
  parseSlice(body, pos, end, 'value');
  return end;
}

/** `pos` is at the first byte of a value; returns the index just past it. */
function skipValue(body: Buffer, pos: number): number {
  const c = body[pos];
  if (c === QUOTE) return skipString(body, pos + 1);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipContainer(body, pos);
  return skipScalar(body, pos);
}

/** `pos` is at the opening bracket of the items array; appends each element and returns the index past `]`. */
function readItems(body: Buffer, pos: number, items: Buffer[]): number {
  pos = skipWhitespace(body, pos + 1);
  if (body[pos] === CLOSE_BRACKET) return pos + 1;
  for (;;) {
    const start = pos;
    pos = skipValue(body, pos);
    items.push(body.subarray(start, pos));
    pos = skipWhitespace(body, pos);
    const c = body[pos];
    if (c === COMMA) {
      pos = skipWhitespace(body, pos + 1);
    } else if (c === CLOSE_BRACKET) {
      return pos + 1;
    } else {
      fail(`expected ',' or ']' in items at byte ${pos}, found ${found(body, pos)}`);
    }
  }
}

function optional<T>(meta: Record<string, unknown>, key: string, type: 'string' | 'number'): T | undefined {
  const value = meta[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) fail(`metadata.${key} is not a ${type}`);
  return value as T;
}

/** Splits a Kubernetes list response body. Throws an Error with a clear message if the body is not a JSON object or is malformed. */
export function splitListPage(body: Buffer): RawListPage {
  let pos = skipWhitespace(body, 0);
  if (body[pos] !== OPEN_BRACE) fail(`expected '{' at byte ${pos}, found ${found(body, pos)}`);
  pos = skipWhitespace(body, pos + 1);

  let items: Buffer[] = [];
  let metaStart = -1;
  let metaEnd = -1;
  if (body[pos] === CLOSE_BRACE) {
    pos++;
  } else {
    for (;;) {
      if (body[pos] !== QUOTE) fail(`expected a key at byte ${pos}, found ${found(body, pos)}`);
      const keyStart = pos;
      pos = skipString(body, pos + 1);
      // A list has a handful of top-level keys, so decoding them (escapes included) costs nothing.
      const key = parseSlice(body, keyStart, pos, 'key');
      pos = skipWhitespace(body, pos);
      if (body[pos] !== COLON) fail(`expected ':' at byte ${pos}, found ${found(body, pos)}`);
      pos = skipWhitespace(body, pos + 1);

      const valueStart = pos;
      if (key === 'items') {
        // As with JSON.parse, a repeated key replaces the earlier value.
        items = [];
        if (body[pos] === OPEN_BRACKET) {
          pos = readItems(body, pos, items);
        } else {
          pos = skipValue(body, pos);
          if (parseSlice(body, valueStart, pos, 'items') !== null) fail(`items at byte ${valueStart} is not an array`);
        }
      } else {
        pos = skipValue(body, pos);
        if (key === 'metadata') {
          metaStart = valueStart;
          metaEnd = pos;
        }
      }

      pos = skipWhitespace(body, pos);
      const c = body[pos];
      if (c === COMMA) {
        pos = skipWhitespace(body, pos + 1);
      } else if (c === CLOSE_BRACE) {
        pos++;
        break;
      } else {
        fail(`expected ',' or '}' at byte ${pos}, found ${found(body, pos)}`);
      }
    }
  }
  pos = skipWhitespace(body, pos);
  if (pos !== body.length) fail(`unexpected ${found(body, pos)} after the object at byte ${pos}`);

  const page: RawListPage = { items, continue: undefined, resourceVersion: undefined, remainingItemCount: undefined };
  if (metaStart >= 0) {
    const meta = parseSlice(body, metaStart, metaEnd, 'metadata');
    if (meta !== null) {
      if (typeof meta !== 'object' || Array.isArray(meta)) fail('metadata is not an object');
      const m = meta as Record<string, unknown>;
      page.continue = optional<string>(m, 'continue', 'string') || undefined;
      page.resourceVersion = optional<string>(m, 'resourceVersion', 'string');
      page.remainingItemCount = optional<number>(m, 'remainingItemCount', 'number');
    }
  }
  return page;
}

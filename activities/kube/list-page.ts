// A backup writes each object's JSON as the API server sent it instead of parsing and re-serializing
// it: JSON.parse of a whole list page followed by a JSON.stringify per object costs more CPU than the
// download itself on large clusters, and allocates every object twice. So a page is scanned once as
// bytes to find where each top-level item begins and ends; only the small metadata object is parsed.
//
// The API server streams a page over several milliseconds, so the scan is incremental: it runs as
// the chunks arrive and hands out each item as soon as its last byte is in, letting the caller work
// on the first items while the rest is still on the wire. A chunk may end anywhere, so the scan is a
// state machine that resumes exactly where it stopped.
//
// The scan relies on UTF-8 never using bytes below 0x80 inside a multi-byte character, so quotes,
// brackets and separators can be recognised byte by byte without decoding, and a chunk boundary
// inside a character needs no special care.

import {
  BRACKET_BIT,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  CR,
  LF,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SPACE,
  skipWhitespace,
  stringEnd,
  TAB,
} from './json-bytes.js';
import { readItemHead, walkItem, type HeadOptions, type ItemHead } from './list-item.js';

export interface ListPageMetadata {
  /** metadata.continue; an empty token means the last page, as it does for the API server. */
  continue: string | undefined;
  resourceVersion: string | undefined;
  remainingItemCount: number | undefined;
}

export interface RawListPage extends ListPageMetadata {
  /** Each item's JSON text, as subarrays of the response body (no copy). */
  items: Buffer[];
}

// Scan states, named after what comes next. Top level:
const BEFORE_OBJECT = 0;
const FIRST_KEY = 1; // a key or '}'
const NEXT_KEY = 2; // a key
const KEY = 3; // the rest of a key string
const BEFORE_COLON = 4;
const VALUE = 5; // a top-level value
const AFTER_VALUE = 6; // ',' or '}'
const DONE = 7; // only whitespace
// In the items array:
const FIRST_ITEM = 8; // an item or ']'
const NEXT_ITEM = 9; // an item
const AFTER_ITEM = 10; // ',' or ']'
// Inside a value, top-level or item:
const VALUE_START = 11; // its first byte, which has arrived
const STRING = 12; // the rest of a string
const CONTAINER = 13; // the rest of an object or array
const CONTAINER_STRING = 14; // the rest of a string inside an object or array
const SCALAR = 15; // the rest of a number or literal
const VALUE_END = 16; // just past the value

// Top-level keys the scan acts on.
const OTHER_KEY = 0;
const ITEMS_KEY = 1;
const METADATA_KEY = 2;

// A buffer of our own starts this large, so a page arriving in small chunks is copied a few times
// rather than once per chunk.
const MIN_CAPACITY = 64 * 1024;

function fail(what: string): never {
  throw new Error(`malformed list response: ${what}`);
}

function found(buf: Buffer, pos: number): string {
  const c = buf[pos];
  if (c === undefined) return 'end of body';
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function parseSlice(buf: Buffer, start: number, end: number, what: string, base: number): unknown {
  try {
    return JSON.parse(buf.toString('utf8', start, end));
  } catch (err) {
    fail(`invalid ${what} at byte ${base + start}: ${(err as Error).message}`);
  }
}

function optional<T>(meta: Record<string, unknown>, key: string, type: 'string' | 'number'): T | undefined {
  const value = meta[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type) fail(`metadata.${key} is not a ${type}`);
  return value as T;
}

function readMetadata(meta: unknown): ListPageMetadata {
  const page: ListPageMetadata = { continue: undefined, resourceVersion: undefined, remainingItemCount: undefined };
  if (meta === null) return page;
  if (typeof meta !== 'object' || Array.isArray(meta)) fail('metadata is not an object');
  const m = meta as Record<string, unknown>;
  page.continue = optional<string>(m, 'continue', 'string') || undefined;
  page.resourceVersion = optional<string>(m, 'resourceVersion', 'string');
  page.remainingItemCount = optional<number>(m, 'remainingItemCount', 'number');
  return page;
}

function pendingToken(state: number, inItems: boolean): string {
  switch (state) {
    case BEFORE_OBJECT:
      return "expected '{'";
    case FIRST_KEY:
    case NEXT_KEY:
      return 'expected a key';
    case KEY:
      return 'in a key';
    case BEFORE_COLON:
      return "expected ':'";
    case VALUE:
      return 'expected a value';
    case AFTER_VALUE:
      return "expected ',' or '}'";
    case FIRST_ITEM:
    case NEXT_ITEM:
      return 'expected an item';
    case AFTER_ITEM:
      return "expected ',' or ']' in items";
    default:
      return inItems ? 'in an item' : 'in a value';
  }
}

/**
 * Splits a Kubernetes list response body as it arrives. Items share memory with the pushed chunks,
 * so a chunk must not be modified after it has been pushed.
 */
export class ListPageSplitter {
  /**
   * With `heads`, each item's head is read as well (see list-item.ts), in the same pass over its
   * bytes when the item has fully arrived; `heads` is then filled in step with the items push returns.
   */
  constructor(private readonly headOptions?: HeadOptions) {}

  /** The heads of the items the last push returned, in order (undefined: the item must be parsed); with the heads option only. */
  heads: Array<ItemHead | undefined> = [];
  /** The head of the item being scanned, when walkItem read it. */
  private walked: ItemHead | undefined = undefined;

  // The received bytes from the earliest one still needed; only [0, len) is filled. A new buffer is
  // allocated whenever the bytes outgrow it, never reused, because handed-out items point into it.
  // When nothing is pending the pushed chunk itself becomes the buffer, so a body pushed whole is
  // never copied.
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Body offset of buf[0], for error messages. */
  private base = 0;
  private state = BEFORE_OBJECT;
  private pos = 0;
  /** Start of the open key or value, which must stay buffered until it is complete. */
  private start = 0;
  private inItems = false;
  private key = OTHER_KEY;
  /** Open containers of the current value, as the closing byte each expects. */
  private depth = 0;
  private closers = new Uint8Array(64);
  private itemCount = 0;
  private meta: ListPageMetadata | undefined = undefined;
  /** Why the last metadata value was invalid; raised by end() unless a later metadata key replaces it. */
  private metaError: unknown = undefined;
  /** The first failure, raised again by any later call so a half-scanned body is never resumed. */
  private error: unknown = undefined;

  /**
   * Feeds the next bytes of the body; returns the items these bytes complete, in order, each exactly
   * the element's JSON text. Throws an Error like end() as soon as the bytes cannot be a list response.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.error !== undefined) throw this.error;
    const items: Buffer[] = [];
    if (this.headOptions) this.heads = [];
    if (chunk.length === 0) return items;
    try {
      this.append(chunk);
      this.scan(items);
    } catch (err) {
      this.error = err;
      throw err;
    }
    return items;
  }

  /** The top-level metadata once it has been fully received (the API server sends it before the items). */
  get metadata(): ListPageMetadata | undefined {
    return this.meta;
  }

  /**
   * Call after the last chunk: checks that the body was complete and returns its metadata, with every
   * field undefined if it had none. Throws an Error if the body was incomplete or malformed.
   */
  end(): ListPageMetadata {
    if (this.error === undefined) {
      if (this.state !== DONE) {
        const at = this.base + this.len;
        this.error = new Error(
          `malformed list response: unexpected end of body at byte ${at}, ${pendingToken(this.state, this.inItems)}`,
        );
      } else {
        this.error = this.metaError;
      }
    }
    if (this.error !== undefined) throw this.error;
    return this.meta ?? readMetadata(null);
  }

  private append(chunk: Buffer): void {
    const len = this.len;
    const n = chunk.length;
    // An adopted chunk is always full (len === buf.length), so this never writes into the caller's memory.
    if (len + n <= this.buf.length) {
      chunk.copy(this.buf, len);
      this.len = len + n;
      return;
    }
    // Bytes before the open key or value are scanned and, if part of an item, handed out: drop them.
    const state = this.state;
    const keep = state === KEY || (state >= STRING && state <= SCALAR) ? this.start : this.pos;
    const live = len - keep;
    let next: Buffer;
    if (live === 0) {
      next = chunk;
    } else {
      // Room for as many bytes again as are needed now, so that copying stays linear in the body size.
      next = Buffer.allocUnsafe(Math.max(MIN_CAPACITY, 2 * (live + n)));
      this.buf.copy(next, 0, keep, len);
      chunk.copy(next, live);
    }
    this.buf = next;
    this.len = live + n;
    this.base += keep;
    this.pos -= keep;
    this.start -= keep;
  }

  private scan(out: Buffer[]): void {
    const len = this.len;
    // A view of the filled part, so indexOf never searches the unfilled rest of the buffer.
    const buf = len === this.buf.length ? this.buf : this.buf.subarray(0, len);
    const base = this.base;
    let closers = this.closers;
    let state = this.state;
    let pos = this.pos;
    let start = this.start;
    let depth = this.depth;

    scan: for (;;) {
      switch (state) {
        case BEFORE_OBJECT: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          if (buf[pos] !== OPEN_BRACE) fail(`expected '{' at byte ${base + pos}, found ${found(buf, pos)}`);
          pos++;
          state = FIRST_KEY;
          break;
        }
        case FIRST_KEY:
        case NEXT_KEY: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          const c = buf[pos];
          if (c === QUOTE) {
            start = pos++;
            state = KEY;
          } else if (c === CLOSE_BRACE && state === FIRST_KEY) {
            pos++;
            state = DONE;
          } else {
            fail(`expected a key at byte ${base + pos}, found ${found(buf, pos)}`);
          }
          break;
        }
        case KEY: {
          const end = stringEnd(buf, pos);
          if (end === -1) {
            pos = len;
            break scan;
          }
          pos = end;
          // A list has a handful of top-level keys, so decoding them (escapes included) costs nothing.
          const key = parseSlice(buf, start, end, 'key', base);
          if (key === 'items') {
            // JSON.parse lets a repeated key replace the earlier value, but items already handed out
            // cannot be taken back.
            if (this.itemCount > 0) fail(`repeated items key at byte ${base + start}`);
            this.key = ITEMS_KEY;
          } else {
            this.key = key === 'metadata' ? METADATA_KEY : OTHER_KEY;
          }
          state = BEFORE_COLON;
          break;
        }
        case BEFORE_COLON: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          if (buf[pos] !== COLON) fail(`expected ':' at byte ${base + pos}, found ${found(buf, pos)}`);
          pos++;
          state = VALUE;
          break;
        }
        case VALUE: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          if (this.key === ITEMS_KEY && buf[pos] === OPEN_BRACKET) {
            pos++;
            state = FIRST_ITEM;
          } else {
            this.inItems = false;
            state = VALUE_START;
          }
          break;
        }
        case AFTER_VALUE: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          const c = buf[pos];
          if (c === COMMA) {
            state = NEXT_KEY;
          } else if (c === CLOSE_BRACE) {
            state = DONE;
          } else {
            fail(`expected ',' or '}' at byte ${base + pos}, found ${found(buf, pos)}`);
          }
          pos++;
          break;
        }
        case DONE: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          fail(`unexpected ${found(buf, pos)} after the object at byte ${base + pos}`);
          break;
        }
        case FIRST_ITEM:
        case NEXT_ITEM: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          if (buf[pos] === CLOSE_BRACKET && state === FIRST_ITEM) {
            pos++;
            state = AFTER_VALUE;
          } else {
            this.inItems = true;
            state = VALUE_START;
          }
          break;
        }
        case AFTER_ITEM: {
          pos = skipWhitespace(buf, pos);
          if (pos === len) break scan;
          const c = buf[pos];
          if (c === COMMA) {
            state = NEXT_ITEM;
          } else if (c === CLOSE_BRACKET) {
            state = AFTER_VALUE;
          } else {
            fail(`expected ',' or ']' in items at byte ${base + pos}, found ${found(buf, pos)}`);
          }
          pos++;
          break;
        }
        case VALUE_START: {
          start = pos;
          const c = buf[pos]!;
          if (c === QUOTE) {
            pos++;
            state = STRING;
          } else if ((c | BRACKET_BIT) === OPEN_BRACE) {
            if (this.headOptions && this.inItems) {
              // One pass finds both the item's end and its head, when the item has fully arrived;
              // otherwise (or when the walk gives up) the scan below takes over.
              const walked = walkItem(buf, pos, this.headOptions);
              if (walked) {
                this.walked = walked.head;
                pos = walked.end;
                state = VALUE_END;
                break;
              }
            }
            closers[0] = c + 2; // '{' + 2 = '}', '[' + 2 = ']'
            depth = 1;
            pos++;
            state = CONTAINER;
          } else {
            state = SCALAR;
          }
          break;
        }
        case STRING: {
          const end = stringEnd(buf, pos);
          if (end === -1) {
            pos = len;
            break scan;
          }
          pos = end;
          state = VALUE_END;
          break;
        }
        case CONTAINER_STRING: {
          const end = stringEnd(buf, pos);
          if (end === -1) {
            pos = len;
            break scan;
          }
          pos = end;
          state = CONTAINER;
          break;
        }
        case CONTAINER: {
          // The hot loop: nearly every byte of a page is inside an item. Strings are skipped with
          // indexOf; elsewhere only brackets matter, as the item is not validated beyond them.
          let i = pos;
          for (;;) {
            if (i === len) {
              pos = i;
              break scan;
            }
            const c = buf[i]!;
            if (c === QUOTE) {
              const end = stringEnd(buf, i + 1);
              if (end === -1) {
                pos = len;
                state = CONTAINER_STRING;
                break scan;
              }
              i = end;
              continue;
            }
            const k = c | BRACKET_BIT;
            if (k === OPEN_BRACE) {
              if (depth === closers.length) {
                const grown = new Uint8Array(depth * 2);
                grown.set(closers);
                closers = this.closers = grown;
              }
              closers[depth++] = c + 2;
            } else if (k === CLOSE_BRACE) {
              if (closers[--depth] !== c) fail(`mismatched ${found(buf, i)} at byte ${base + i}`);
              if (depth === 0) break;
            }
            i++;
          }
          pos = i + 1;
          state = VALUE_END;
          break;
        }
        case SCALAR: {
          let i = pos;
          while (i < len) {
            const c = buf[i]!;
            if (
              c === COMMA ||
              c === CLOSE_BRACE ||
              c === CLOSE_BRACKET ||
              c === SPACE ||
              c === LF ||
              c === CR ||
              c === TAB
            ) {
              break;
            }
            i++;
          }
          pos = i;
          if (i === len) break scan;
          if (i === start) fail(`expected a value at byte ${base + i}, found ${found(buf, i)}`);
          // Scalars are rare at the levels walked here (items are objects), so validating them is cheap.
          parseSlice(buf, start, i, 'value', base);
          state = VALUE_END;
          break;
        }
        case VALUE_END: {
          if (this.inItems) {
            const item = buf.subarray(start, pos);
            out.push(item);
            if (this.headOptions) {
              this.heads.push(this.walked ?? readItemHead(item, this.headOptions));
              this.walked = undefined;
            }
            this.itemCount++;
            state = AFTER_ITEM;
          } else {
            this.topLevelValue(buf, start, pos);
            state = AFTER_VALUE;
          }
          break;
        }
      }
    }

    this.state = state;
    this.pos = pos;
    this.start = start;
    this.depth = depth;
  }

  /** A top-level value other than an items array has been received. */
  private topLevelValue(buf: Buffer, start: number, end: number): void {
    if (this.key === ITEMS_KEY) {
      if (parseSlice(buf, start, end, 'items', this.base) !== null) {
        fail(`items at byte ${this.base + start} is not an array`);
      }
    } else if (this.key === METADATA_KEY) {
      // Deferred to end(), as a later metadata key would replace this one.
      try {
        this.meta = readMetadata(parseSlice(buf, start, end, 'metadata', this.base));
        this.metaError = undefined;
      } catch (err) {
        this.meta = undefined;
        this.metaError = err;
      }
    }
  }
}

/** Splits a whole Kubernetes list response body. Throws an Error with a clear message if the body is not a JSON object or is malformed. */
export function splitListPage(body: Buffer): RawListPage {
  const splitter = new ListPageSplitter();
  const items = splitter.push(body);
  return { items, ...splitter.end() };
}

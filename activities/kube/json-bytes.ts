// Byte-level JSON scanning shared by the list-page splitter and the item-head reader. Both rely on
// UTF-8 never using bytes below 0x80 inside a multi-byte character, so quotes, brackets and
// separators can be recognised byte by byte without decoding.

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
// '[' and ']' differ from '{' and '}' only in this bit, so one comparison covers both kinds.
export const BRACKET_BIT = 0x20;

export function skipWhitespace(buf: Buffer, pos: number): number {
  const len = buf.length;
  while (pos < len) {
    const c = buf[pos]!;
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    pos++;
  }
  return pos;
}

/**
 * `pos` is inside a string, past its opening quote and any bytes already known not to close it;
 * returns the index just past the closing quote, or -1 if that has not arrived yet.
 */
export function stringEnd(buf: Buffer, pos: number): number {
  for (;;) {
    const q = buf.indexOf(QUOTE, pos);
    if (q === -1) return -1;
    // A quote is escaped when an odd number of backslashes precedes it. Counting backwards rather
    // than carrying escape state handles a chunk ending between a backslash and the escaped byte;
    // the run cannot reach past the opening quote, which stays buffered while the string is open.
    let b = q - 1;
    while (buf[b] === BACKSLASH) b--;
    if (((q - 1 - b) & 1) === 0) return q + 1;
    pos = q + 1;
  }
}

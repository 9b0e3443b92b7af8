// What a backup must know of a list item to decide whether and where to store it: its type, name,
// namespace, labels and whether it is being deleted. JSON.parse of every item only to read these
// was the largest single share of a backup's CPU, and the item is stored as sent anyway, so they
// are read from the bytes: the item's top-level keys and its metadata's are walked, everything
// else is skipped with its brackets matched. Only the labels are parsed, and only when asked for.
// The list splitter calls walkItem where an item starts, so finding the item's end and reading its
// head is one pass over its bytes.
//
// The walk gives up (returns undefined) on anything it does not expect, such as an escaped key or a
// non-string name; the caller then parses the item, so an odd item costs time, never correctness.

import {
  BACKSLASH,
  BRACKET_BIT,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  CR,
  LF,
  OPEN_BRACE,
  QUOTE,
  SPACE,
  skipWhitespace,
  stringEnd,
  TAB,
} from './json-bytes.js';
import type { KubeObject } from '../../resources/types.js';

export interface ItemHead {
  /**
   * The item with only these fields: its apiVersion and kind as sent (list items of built-in
   * types have none), and its metadata's name, namespace, deletionTimestamp and, if asked for, labels.
   */
  object: KubeObject;
  /**
   * The item has a top-level `spec`. A spec may name other objects (a pod's PriorityClass, a
   * PVC's StorageClass), which only a full parse tells.
   */
  hasSpec: boolean;
}

const LOWER_N = 0x6e;

/** Reads the head of one list item, `raw` being exactly its JSON object; undefined when the item must be parsed. */
export function readItemHead(raw: Buffer, options: HeadOptions): ItemHead | undefined {
  const walked = walkItem(raw, 0, options);
  return walked && walked.end === raw.length ? walked.head : undefined;
}

export interface HeadOptions {
  /** Parse metadata.labels (a backup filtering by label needs them). */
  labels: boolean;
}

/**
 * Walks the JSON object starting at `start`, which may be followed by anything: returns its head
 * and the index just past its closing brace. Undefined when the object does not end within `buf`,
 * or is anything the walk does not expect, including mismatched brackets.
 */
export function walkItem(
  buf: Buffer,
  start: number,
  options: HeadOptions,
): { head: ItemHead; end: number } | undefined {
  if (buf[start] !== OPEN_BRACE) return undefined;
  let apiVersion: string | undefined;
  let kind: string | undefined;
  let metadata: KubeObject['metadata'] | undefined;
  let hasSpec = false;
  let pos = skipWhitespace(buf, start + 1);
  if (buf[pos] === CLOSE_BRACE) return undefined; // no metadata
  for (;;) {
    const key = readKey(buf, pos);
    if (key < 0) return undefined;
    const keyStart = pos + 1;
    const keyLen = key - 1 - keyStart;
    const valueStart = afterColon(buf, key);
    if (valueStart < 0) return undefined;
    let valueEnd: number;
    if (is(buf, keyStart, keyLen, 'metadata')) {
      const read = readMetadata(buf, valueStart, options.labels);
      if (!read) return undefined;
      metadata = read.metadata;
      valueEnd = read.end;
    } else if (is(buf, keyStart, keyLen, 'apiVersion') || is(buf, keyStart, keyLen, 'kind')) {
      if (buf[valueStart] !== QUOTE) return undefined;
      valueEnd = stringEnd(buf, valueStart + 1);
      if (valueEnd < 0) return undefined;
      const value = stringValue(buf, valueStart, valueEnd);
      if (value === undefined) return undefined;
      if (keyLen === 4) kind = value;
      else apiVersion = value;
    } else {
      if (is(buf, keyStart, keyLen, 'spec')) hasSpec = true;
      valueEnd = skipValue(buf, valueStart);
      if (valueEnd < 0) return undefined;
    }
    pos = skipWhitespace(buf, valueEnd);
    const c = buf[pos];
    if (c === COMMA) {
      pos = skipWhitespace(buf, pos + 1);
      continue;
    }
    if (c !== CLOSE_BRACE) return undefined;
    break;
  }
  if (!metadata) return undefined;
  const object = { metadata } as KubeObject;
  if (apiVersion !== undefined) object.apiVersion = apiVersion;
  if (kind !== undefined) object.kind = kind;
  return { head: { object, hasSpec }, end: pos + 1 };
}

/** The metadata object at `pos`; undefined when it is not an object with a string name. */
function readMetadata(
  raw: Buffer,
  pos: number,
  withLabels: boolean,
): { metadata: KubeObject['metadata']; end: number } | undefined {
  if (raw[pos] !== OPEN_BRACE) return undefined;
  let name: string | undefined;
  let namespace: string | undefined;
  let labels: Record<string, string> | undefined;
  let deletionTimestamp: string | undefined;
  pos = skipWhitespace(raw, pos + 1);
  if (raw[pos] === CLOSE_BRACE) return undefined;
  for (;;) {
    const key = readKey(raw, pos);
    if (key < 0) return undefined;
    const keyStart = pos + 1;
    const keyLen = key - 1 - keyStart;
    const valueStart = afterColon(raw, key);
    if (valueStart < 0) return undefined;
    const valueEnd = skipValue(raw, valueStart);
    if (valueEnd < 0) return undefined;
    // A scalar starting with 'n' that the API server wrote can only be null.
    const isNull = raw[valueStart] === LOWER_N;
    if (is(raw, keyStart, keyLen, 'name') || is(raw, keyStart, keyLen, 'namespace')) {
      if (raw[valueStart] !== QUOTE) return undefined;
      const value = stringValue(raw, valueStart, valueEnd);
      if (value === undefined) return undefined;
      if (keyLen === 4) name = value;
      else namespace = value;
    } else if (is(raw, keyStart, keyLen, 'labels')) {
      if (isNull) labels = undefined;
      else if (raw[valueStart] !== OPEN_BRACE) return undefined;
      else if (withLabels) {
        labels = parseOrUndefined(raw, valueStart, valueEnd) as Record<string, string> | undefined;
        if (labels === undefined) return undefined;
      }
    } else if (is(raw, keyStart, keyLen, 'deletionTimestamp')) {
      if (isNull) deletionTimestamp = undefined;
      else if (raw[valueStart] !== QUOTE) return undefined;
      else if ((deletionTimestamp = stringValue(raw, valueStart, valueEnd)) === undefined) return undefined;
    }
    pos = skipWhitespace(raw, valueEnd);
    const c = raw[pos];
    if (c === COMMA) {
      pos = skipWhitespace(raw, pos + 1);
      continue;
    }
    if (c !== CLOSE_BRACE) return undefined;
    break;
  }
  if (name === undefined) return undefined;
  const metadata: KubeObject['metadata'] = { name };
  if (namespace !== undefined) metadata.namespace = namespace;
  if (labels !== undefined) metadata.labels = labels;
  if (deletionTimestamp !== undefined) metadata.deletionTimestamp = deletionTimestamp;
  return { metadata, end: pos + 1 };
}

/** The index past the key string at `pos`; -1 when there is none, or it has escapes (a key is compared as bytes). */
function readKey(raw: Buffer, pos: number): number {
  if (raw[pos] !== QUOTE) return -1;
  const end = stringEnd(raw, pos + 1);
  if (end < 0) return -1;
  for (let i = pos + 1; i < end - 1; i++) if (raw[i] === BACKSLASH) return -1;
  return end;
}

/** The start of the value after the key ending at `pos`; -1 without a colon. */
function afterColon(raw: Buffer, pos: number): number {
  pos = skipWhitespace(raw, pos);
  if (raw[pos] !== COLON) return -1;
  return skipWhitespace(raw, pos + 1);
}

function is(raw: Buffer, start: number, length: number, key: string): boolean {
  if (length !== key.length) return false;
  for (let i = 0; i < length; i++) if (raw[start + i] !== key.charCodeAt(i)) return false;
  return true;
}

/** The string whose quotes are at `start` and `end - 1`; undefined when an escape in it is invalid. */
function stringValue(raw: Buffer, start: number, end: number): string | undefined {
  for (let i = start + 1; i < end - 1; i++) {
    if (raw[i] === BACKSLASH) return parseOrUndefined(raw, start, end) as string | undefined;
  }
  return raw.toString('utf8', start + 1, end - 1);
}

/** JSON.parse of the bytes; undefined when they are not JSON, so the walk gives up instead of throwing. */
function parseOrUndefined(raw: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(raw.toString('utf8', start, end)) as unknown;
  } catch {
    return undefined;
  }
}

/** Open containers of the value being skipped, as the closing byte each expects. */
let closers = new Uint8Array(64);

/** The index past the value starting at `pos`; -1 when it does not end inside `raw`, or its brackets do not match. */
function skipValue(raw: Buffer, pos: number): number {
  const len = raw.length;
  const c = raw[pos];
  if (c === undefined) return -1;
  if (c === QUOTE) return stringEnd(raw, pos + 1);
  if ((c | BRACKET_BIT) !== OPEN_BRACE) {
    let i = pos;
    while (i < len) {
      const b = raw[i]!;
      if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || b === SPACE || b === LF || b === CR || b === TAB)
        break;
      i++;
    }
    // A scalar running to the end of the bytes may not be complete.
    return i === pos || i === len ? -1 : i;
  }
  let depth = 0;
  for (let i = pos; i < len; i++) {
    const b = raw[i]!;
    if (b === QUOTE) {
      const end = stringEnd(raw, i + 1);
      if (end < 0) return -1;
      i = end - 1;
    } else if ((b | BRACKET_BIT) === OPEN_BRACE) {
      if (depth === closers.length) {
        const grown = new Uint8Array(depth * 2);
        grown.set(closers);
        closers = grown;
      }
      closers[depth++] = b + 2; // '{' + 2 = '}', '[' + 2 = ']'
    } else if ((b | BRACKET_BIT) === CLOSE_BRACE) {
      if (closers[--depth] !== b) return -1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

// Small helpers for working on objects as JSON. Pure; no structuredClone (not every sandbox has it).

import type { KubeObject } from '../resources/types.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

/** A deep copy of a JSON value. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => clone(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = clone(v);
    return out as T;
  }
  return value;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `path` (keys), or undefined when any step is missing or not an object. */
export function getObject(root: unknown, ...path: string[]): JsonObject | undefined {
  let cur: unknown = root;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return isObject(cur) ? cur : undefined;
}

/** The array at `path`, or undefined. */
export function getArray(root: unknown, ...path: string[]): unknown[] | undefined {
  const parent = getObject(root, ...path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || last === undefined) return undefined;
  const v = parent[last];
  return Array.isArray(v) ? v : undefined;
}

export function getString(root: unknown, ...path: string[]): string | undefined {
  const parent = getObject(root, ...path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || last === undefined) return undefined;
  const v = parent[last];
  return typeof v === 'string' ? v : undefined;
}

/** Deletes `key` from a map and drops the map when it becomes empty. */
export function deleteKey(parent: JsonObject | undefined, field: string, key: string): boolean {
  const map = parent ? getObject(parent, field) : undefined;
  if (!parent || !map || !(key in map)) return false;
  delete map[key];
  if (Object.keys(map).length === 0) delete parent[field];
  return true;
}

/** `Kind namespace/name` or `Kind name`, as items are named in warnings. */
export function describe(obj: KubeObject): string {
  return obj.metadata.namespace
    ? `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`
    : `${obj.kind} ${obj.metadata.name}`;
}

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]))
    );
  }
  return false;
}

const setCache = new WeakMap<readonly string[], ReadonlySet<string>>();

/** A Set view of an array or Set, cached per array so batches of objects do not rebuild it. */
export function asSet(v: ReadonlySet<string> | readonly string[] | undefined): ReadonlySet<string> {
  if (v === undefined) return new Set();
  if (!Array.isArray(v)) return v as ReadonlySet<string>;
  const arr = v as readonly string[];
  let s = setCache.get(arr);
  if (!s) {
    s = new Set(arr);
    setCache.set(arr, s);
  }
  return s;
}

/** Natural order for keys like case1, case2, case10. */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

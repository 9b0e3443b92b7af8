// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901), JSON Merge Patch (RFC 7386), and the part
// of Kubernetes strategic merge patch that built-in types need. Pure; inputs are never modified.

import { clone, isObject, jsonEqual } from './util.js';

export type PatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'move'; from: string; path: string }
  | { op: 'copy'; from: string; path: string }
  | { op: 'test'; path: string; value: unknown };

/** A failed patch; `index` is the operation's position, `testFailed` tells a failed `test` apart. */
export class JsonPatchError extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly testFailed = false,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

/** Splits a JSON Pointer into unescaped tokens; '' is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must start with '/'`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t))
        throw new Error(`JSON pointer ${JSON.stringify(pointer)} has a bad escape ('~' must be '~0' or '~1')`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${pointer}: ${JSON.stringify(token)} is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length))
    throw new Error(`${pointer}: index ${i} is out of range (length ${length})`);
  return i;
}

interface Location {
  parent: unknown;
  key: string;
}

function locate(doc: unknown, tokens: string[], pointer: string): Location {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] ?? '';
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, pointer)];
    else if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t];
    else throw new Error(`${pointer}: path does not exist (no ${JSON.stringify(t)})`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

/** The value at `pointer`; throws when it does not exist. */
export function getByPointer(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return doc;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) return parent[arrayIndex(key, parent.length, false, pointer)];
  if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, key)) return parent[key];
  throw new Error(`${pointer}: path does not exist`);
}

function add(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, pointer), 0, value);
  else if (isObject(parent)) parent[key] = value;
  else throw new Error(`${pointer}: parent is not an object or array`);
  return doc;
}

function remove(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new Error('cannot remove the whole document');
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false, pointer), 1);
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, key)) delete parent[key];
  else throw new Error(`${pointer}: path does not exist`);
  return doc;
}

function replace(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, pointer);
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false, pointer)] = value;
  else if (isObject(parent) && Object.prototype.hasOwnProperty.call(parent, key)) parent[key] = value;
  else throw new Error(`${pointer}: path does not exist`);
  return doc;
}

/** Applies RFC 6902 operations in order, all or nothing; returns the patched copy. */
export function applyJsonPatch<T>(doc: T, ops: readonly PatchOperation[]): T {
  let out: unknown = clone(doc);
  ops.forEach((op, index) => {
    try {
      switch (op.op) {
        case 'add':
          out = add(out, op.path, clone(op.value));
          break;
        case 'remove':
          out = remove(out, op.path);
          break;
        case 'replace':
          out = replace(out, op.path, clone(op.value));
          break;
        case 'copy':
          out = add(out, op.path, clone(getByPointer(out, op.from)));
          break;
        case 'move': {
          if (op.path !== op.from && op.path.startsWith(`${op.from}/`))
            throw new Error(`cannot move ${op.from} into its own child ${op.path}`);
          const value = getByPointer(out, op.from);
          out = add(remove(out, op.from), op.path, value);
          break;
        }
        case 'test': {
          let actual: unknown;
          try {
            actual = getByPointer(out, op.path);
          } catch (e) {
            throw new JsonPatchError(`operation ${index} (test): ${(e as Error).message}`, index, true);
          }
          if (!jsonEqual(actual, op.value))
            throw new JsonPatchError(
              `operation ${index} (test): ${op.path} is ${JSON.stringify(actual)}, not ${JSON.stringify(op.value)}`,
              index,
              true,
            );
          break;
        }
      }
    } catch (e) {
      if (e instanceof JsonPatchError) throw e;
      throw new JsonPatchError(`operation ${index} (${op.op}): ${(e as Error).message}`, index);
    }
  });
  return out as T;
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. Returns a new value. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch (built-in types)
// ---------------------------------------------------------------------------------------------

/**
 * patchMergeKey of the lists built-in types merge rather than replace, by field name and, where
 * one name means different things, by the parent field. Lists not here are replaced (as for
 * `tolerations`, `args`).
 */
const MERGE_KEYS: Record<string, string | ((parentField: string | undefined) => string | undefined)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  env: 'name',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  schedulingGates: 'name',
  topologySpreadConstraints: 'topologyKey',
  ownerReferences: 'uid',
  conditions: 'type',
  // Container ports merge by containerPort; a Service's by port.
  ports: (parent) => (parent === 'spec' ? 'port' : 'containerPort'),
};

/** Lists of scalars merged as sets (patchStrategy merge without a key). */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, parentField: string | undefined): string | undefined {
  const k = MERGE_KEYS[field];
  return typeof k === 'function' ? k(parentField) : k;
}

function mergeList(field: string, parentField: string | undefined, target: unknown, patch: unknown[]): unknown {
  if (patch.some((p) => isObject(p) && p.$patch === 'replace'))
    return clone(patch.filter((p) => !(isObject(p) && p.$patch === 'replace')));
  if (MERGED_PRIMITIVE_LISTS.has(field) && Array.isArray(target)) {
    const out = [...target];
    for (const p of patch) if (!out.some((x) => jsonEqual(x, p))) out.push(clone(p));
    return out;
  }
  const key = mergeKeyFor(field, parentField);
  if (!key || !Array.isArray(target)) return clone(patch.filter((p) => !(isObject(p) && p.$patch !== undefined)));
  const out = clone(target);
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      throw new Error(
        `${field}: every element of a strategic merge patch list needs its merge key ${JSON.stringify(key)}`,
      );
    }
    const at = out.findIndex((x) => isObject(x) && jsonEqual(x[key], item[key]));
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) out[at] = strategicMerge(out[at], item, field);
    else out.push(strategicMerge(undefined, item, field));
  }
  return out;
}

/**
 * Strategic merge for built-in kinds: maps merge, `null` deletes, known lists merge by their key
 * (`$patch: delete` removes an element, `$patch: replace` replaces the list or map),
 * `$deleteFromPrimitiveList/<field>` removes scalars, `$retainKeys` drops unlisted keys,
 * `$setElementOrder/<field>` is accepted and ignored. Returns a new value.
 */
export function strategicMerge(target: unknown, patch: unknown, parentField?: string): unknown {
  if (!isObject(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const rest = clone(patch);
    delete rest.$patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const list = out[field];
      if (Array.isArray(list) && Array.isArray(v)) out[field] = list.filter((x) => !v.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(k, parentField, out[k], v);
    else if (isObject(v)) {
      const merged = strategicMerge(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys.map(String));
    for (const k of Object.keys(out)) if (!keep.has(k) && !(k in patch)) delete out[k];
  }
  return out;
}

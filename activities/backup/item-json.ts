// A backup stores each object as the API server sent it in the list page, so it is not serialized
// again. List items of built-in types come without apiVersion and kind (the list carries them);
// an archived object must have both, as a restore reads each file on its own.

import type { KubeObject } from '../../resources/types.js';

/** The `{"kind":…,"apiVersion":…,` that starts an item's JSON when the server left its type out. */
export function typeMetaPrefix(apiVersion: string, kind: string): Buffer {
  return Buffer.from(`{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},`);
}

/**
 * The JSON of a list item, as parts to concatenate, with its type; `raw` is the item as sent and
 * `object` its parse or its head. Undefined when the raw text cannot be reused, and the object must be serialized.
 */
export function itemJson(
  raw: Buffer,
  object: KubeObject,
  apiVersion: string,
  kind: string,
  prefix: Buffer,
): Buffer[] | undefined {
  if (object.apiVersion === apiVersion && object.kind === kind) return [raw];
  // An item always has metadata, so it is not `{}` and the prefix's trailing comma is followed by a member.
  if (object.apiVersion === undefined && object.kind === undefined && object.metadata !== undefined && raw[0] === 0x7b)
    return [prefix, raw.subarray(1)];
  return undefined;
}

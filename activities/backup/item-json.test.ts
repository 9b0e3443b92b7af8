import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../resources/types.js';
import { itemJson, typeMetaPrefix } from './item-json.js';

const parts = (raw: string, apiVersion: string, kind: string) => {
  const buf = Buffer.from(raw);
  const json = itemJson(buf, JSON.parse(raw) as KubeObject, apiVersion, kind, typeMetaPrefix(apiVersion, kind));
  return json && Buffer.concat(json).toString();
};

describe('itemJson', () => {
  it('puts kind and apiVersion in front of a built-in list item, keeping its bytes', () => {
    const raw = '{"metadata":{"name":"a","namespace":"n"},"data":{"k":"v \\u00e9 \\"q\\""}}';
    const json = parts(raw, 'v1', 'ConfigMap')!;
    expect(JSON.parse(json)).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', ...JSON.parse(raw) });
    expect(json.endsWith(raw.slice(1))).toBe(true);
  });

  it('keeps a custom resource as sent when it already names its type', () => {
    const raw = '{"apiVersion":"shop.example.com/v1","kind":"Gadget","metadata":{"name":"g"}}';
    expect(parts(raw, 'shop.example.com/v1', 'Gadget')).toBe(raw);
  });

  it('leaves anything else to serialization', () => {
    expect(parts('{"apiVersion":"v1beta1","kind":"Gadget","metadata":{"name":"g"}}', 'v1', 'Gadget')).toBeUndefined();
    expect(parts('{"kind":"Gadget","metadata":{"name":"g"}}', 'v1', 'Gadget')).toBeUndefined();
    expect(parts('{}', 'v1', 'ConfigMap')).toBeUndefined();
  });
});

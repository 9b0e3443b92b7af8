import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubeItem } from '../../test/fixtures/kube-item.js';
import { readItemHead } from './list-item.js';

const head = (json: string) => readItemHead(Buffer.from(json), { labels: true });

/** What a parse of the whole item says of the fields the head carries. */
function expected(item: Record<string, unknown>) {
  const meta = item.metadata as Record<string, unknown>;
  const object: Record<string, unknown> = { metadata: { name: meta.name } };
  const m = object.metadata as Record<string, unknown>;
  if (meta.namespace !== undefined) m.namespace = meta.namespace;
  if (meta.labels !== undefined && meta.labels !== null) m.labels = meta.labels;
  if (meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null)
    m.deletionTimestamp = meta.deletionTimestamp;
  if (item.apiVersion !== undefined) object.apiVersion = item.apiVersion;
  if (item.kind !== undefined) object.kind = item.kind;
  return { object, hasSpec: 'spec' in item };
}

const configMap = {
  metadata: {
    name: 'settings',
    namespace: 'team-a',
    uid: '6f1c2a3e-0000-4000-8000-000000000001',
    resourceVersion: '1001',
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web', tier: 'frontend' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"metadata":{"name":"x\\"}"}}\n' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:data': { '.': {}, 'f:a': {} } } }],
  },
  data: { 'app.properties': 'color=blue\n', name: 'not-the-name', metadata: '{}' },
};

describe('readItemHead', () => {
  it('reads name, namespace and labels of a ConfigMap as the API server lists it, without apiVersion and kind', () => {
    expect(head(JSON.stringify(configMap))).toEqual({
      object: { metadata: { name: 'settings', namespace: 'team-a', labels: { app: 'web', tier: 'frontend' } } },
      hasSpec: false,
    });
  });

  it('leaves the labels out unless asked for them', () => {
    expect(readItemHead(Buffer.from(JSON.stringify(configMap)), { labels: false })?.object.metadata).toEqual({
      name: 'settings',
      namespace: 'team-a',
    });
  });

  it('reads apiVersion and kind when the item has them, and notes a spec', () => {
    const item = { kind: 'Widget', apiVersion: 'example.com/v1', metadata: { name: 'w' }, spec: { replicas: 2 } };
    expect(head(JSON.stringify(item))).toEqual({
      object: { kind: 'Widget', apiVersion: 'example.com/v1', metadata: { name: 'w' } },
      hasSpec: true,
    });
  });

  it('sees an object being deleted, and ignores a null deletionTimestamp and null labels', () => {
    const deleting = { metadata: { name: 'a', deletionTimestamp: '2024-05-01T10:00:00Z' } };
    expect(head(JSON.stringify(deleting))?.object.metadata.deletionTimestamp).toBe('2024-05-01T10:00:00Z');
    const nulls = { metadata: { name: 'a', deletionTimestamp: null, labels: null } };
    expect(head(JSON.stringify(nulls))?.object.metadata).toEqual({ name: 'a' });
  });

  it('decodes escaped string values', () => {
    expect(head('{"metadata":{"name":"a\\u002db","namespace":"caf\\u00e9"}}')?.object.metadata).toEqual({
      name: 'a-b',
      namespace: 'café',
    });
  });

  it('takes the last of repeated keys, as JSON.parse does', () => {
    expect(head('{"metadata":{"name":"a"},"metadata":{"name":"b","name":"c"}}')?.object.metadata.name).toBe('c');
  });

  it('reads items laid out with whitespace', () => {
    const item = { ...configMap, kind: 'ConfigMap', spec: null };
    expect(head(JSON.stringify(item, null, 2))).toEqual(expected(item));
    expect(head(JSON.stringify(item, null, '\t'))).toEqual(expected(item));
  });

  it.each([
    ['no metadata', '{"data":{}}'],
    ['an empty object', '{}'],
    ['metadata without a name', '{"metadata":{"namespace":"a"}}'],
    ['empty metadata', '{"metadata":{}}'],
    ['metadata that is not an object', '{"metadata":"x"}'],
    ['a name that is not a string', '{"metadata":{"name":5}}'],
    ['labels that are not an object', '{"metadata":{"name":"a","labels":"x=y"}}'],
    ['a deletionTimestamp that is not a string', '{"metadata":{"name":"a","deletionTimestamp":1}}'],
    ['a kind that is not a string', '{"kind":1,"metadata":{"name":"a"}}'],
    ['an escaped key, which could be any key', '{"metadata":{"n\\u0061me":"a"}}'],
    ['an escaped top-level key', '{"met\\u0061data":{"name":"a"},"metadata":{"name":"b"}}'],
    ['a missing colon', '{"metadata" {"name":"a"}}'],
    ['a missing comma', '{"metadata":{"name":"a"} "data":{}}'],
    ['something after the object', '{"metadata":{"name":"a"}} x'],
    ['an array', '[{"metadata":{"name":"a"}}]'],
    ['an invalid escape in the name', '{"metadata":{"name":"a\\q"}}'],
    ['an invalid escape in the deletionTimestamp', '{"metadata":{"name":"a","deletionTimestamp":"\\x"}}'],
    ['labels that are not JSON', '{"metadata":{"name":"a","labels":{"a":tru}}}'],
  ])('gives up on %s, so the caller parses the item', (_, json) => {
    expect(head(json)).toBeUndefined();
  });

  it('agrees with JSON.parse on arbitrary items', () => {
    fc.assert(
      fc.property(kubeItem, fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
        const json = JSON.stringify(value, null, indent);
        // Values, and keys below the metadata, may hold anything: escapes, brackets, quotes.
        expect(head(json)).toEqual(expected(JSON.parse(json) as Record<string, unknown>));
      }),
      { numRuns: 500 },
    );
  });
});

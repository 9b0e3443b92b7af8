import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitListPage } from './list-page.js';

const parsed = (items: Buffer[]): unknown[] => items.map((item) => JSON.parse(item.toString()));
const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function configMap(i: number): Record<string, unknown> {
  return {
    metadata: {
      name: `settings-${i}`,
      namespace: 'team-a',
      uid: `6f1c2a3e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { app: 'web', tier: 'frontend' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"ConfigMap"}\n' },
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2024-05-01T10:00:00Z' }],
    },
    data: { 'app.properties': `color=blue\nreplicas=${i}\n`, empty: '' },
  };
}

describe('splitListPage', () => {
  it('splits a ConfigMapList page and reads its metadata', () => {
    const items = [configMap(1), configMap(2), configMap(3)];
    const body = Buffer.from(
      JSON.stringify({
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '123', continue: 'abc', remainingItemCount: 9500 },
        items,
      }) + '\n',
    );

    const page = splitListPage(body);

    expect(parsed(page.items)).toEqual(items);
    expect(page.continue).toBe('abc');
    expect(page.resourceVersion).toBe('123');
    expect(page.remainingItemCount).toBe(9500);
    // Subarrays of the body, not copies, each exactly the element's text.
    for (const [i, item] of page.items.entries()) {
      expect(item.buffer).toBe(body.buffer);
      expect(item.toString()).toBe(JSON.stringify(items[i]));
    }
  });

  it('treats an empty continue token and missing metadata fields as undefined', () => {
    const page = splitListPage(
      Buffer.from('{"kind":"PodList","metadata":{"continue":"","resourceVersion":"9"},"items":[]}'),
    );
    expect(page).toEqual({ items: [], continue: undefined, resourceVersion: '9', remainingItemCount: undefined });
    expect(splitListPage(Buffer.from('{"items":[{}]}'))).toEqual({
      items: [Buffer.from('{}')],
      continue: undefined,
      resourceVersion: undefined,
      remainingItemCount: undefined,
    });
    expect(splitListPage(Buffer.from('{"metadata":null,"items":[]}')).continue).toBeUndefined();
  });

  it('skips strings with escaped quotes and backslashes', () => {
    const raw = [
      String.raw`{"a":"a\"b","b":"\\","c":"ends with backslash\\","d":"\\\"","e":"\"]}[{"}`,
      String.raw`{"k\"ey":"\\\\\\","nested":["\"",{"x":"}\\"}]}`,
    ];
    const body = Buffer.from(`{"kind":"XList","items":[${raw.join(',')}],"metadata":{"continue":"\\"t\\\\"}}`);

    const page = splitListPage(body);

    expect(page.items.map(String)).toEqual(raw);
    expect(parsed(page.items)).toEqual(raw.map((r) => JSON.parse(r)));
    expect(page.continue).toBe('"t\\');
  });

  it('keeps multi-byte characters, nested containers and scalars intact', () => {
    const items = [
      { name: 'héllo wörld', emoji: '🚀🎉 👩‍👩‍👧', cjk: '日本語', escaped: '\u2028\u0000\t' },
      { deep: [[[[{ a: [1, [2, { b: [] }]] }]]]], empty: {}, list: [] },
      { n: 0, neg: -12.5e-3, big: 1e300, t: true, f: false, z: null },
    ];
    const body = Buffer.from(JSON.stringify({ kind: 'XList', items, metadata: { resourceVersion: 'ü' } }));

    const page = splitListPage(body);

    expect(parsed(page.items)).toEqual(items);
    expect(page.resourceVersion).toBe('ü');
  });

  it('accepts scalar and array elements', () => {
    const page = splitListPage(Buffer.from('{"items":[ 1 , -2.5e3,true,false,null,"s",[],[1,[2]],{} ]}'));
    expect(page.items.map(String)).toEqual(['1', '-2.5e3', 'true', 'false', 'null', '"s"', '[]', '[1,[2]]', '{}']);
  });

  it('only counts the top-level items key', () => {
    const items = [{ metadata: { name: 'a' }, items: [1, 2, 3], spec: { items: { items: [] } } }];
    const body = Buffer.from(
      JSON.stringify({
        kind: 'XList',
        metadata: { continue: 'c', items: [9, 9], annotations: { note: '"items":[1]', other: '],"items":[{"x":1}' } },
        note: '"items":[1,2]}',
        items,
        extra: { items: [7] },
      }),
    );

    const page = splitListPage(body);

    expect(parsed(page.items)).toEqual(items);
    expect(page.continue).toBe('c');
  });

  it('accepts items before metadata', () => {
    const page = splitListPage(Buffer.from('{"items":[{"a":1}],"metadata":{"remainingItemCount":0},"kind":"XList"}'));
    expect(parsed(page.items)).toEqual([{ a: 1 }]);
    expect(page.remainingItemCount).toBe(0);
  });

  it('handles pretty-printed bodies', () => {
    const items = [configMap(1), { a: [1, { b: [] }, []], s: ' [ { " ' }];
    for (const indent of [2, 4, '\t']) {
      const text = JSON.stringify({ kind: 'XList', metadata: { continue: 'x' }, items }, null, indent);
      const page = splitListPage(Buffer.from(`\r\n ${text.replaceAll('\n', '\r\n')}\n\n`));
      expect(parsed(page.items)).toEqual(items);
      for (const item of page.items) {
        expect(String.fromCharCode(item[0]!, item[item.length - 1]!)).toBe('{}');
      }
      expect(page.continue).toBe('x');
    }
    expect(splitListPage(Buffer.from(' {\n "items" :\t[ \n ] \n, "metadata" : { } } ')).items).toEqual([]);
  });

  it('returns no items for null, absent or empty items', () => {
    expect(splitListPage(Buffer.from('{"kind":"XList","items":null}')).items).toEqual([]);
    expect(splitListPage(Buffer.from('{"kind":"XList","metadata":{}}')).items).toEqual([]);
    expect(splitListPage(Buffer.from('{"kind":"XList","items":[]}')).items).toEqual([]);
    expect(splitListPage(Buffer.from('{}')).items).toEqual([]);
    expect(splitListPage(Buffer.from(' { } ')).items).toEqual([]);
  });

  it('decodes escaped top-level keys like JSON.parse does', () => {
    const page = splitListPage(Buffer.from('{"\\u0069tems":[{"a":1}],"meta\\u0064ata":{"continue":"k"}}'));
    expect(parsed(page.items)).toEqual([{ a: 1 }]);
    expect(page.continue).toBe('k');
  });

  it.each([
    ['an empty body', ''],
    ['whitespace', ' \n'],
    ['an array', '[{"a":1}]'],
    ['a string', '"items"'],
    ['a number', '42'],
    ['null', 'null'],
    ['truncated after the brace', '{'],
    ['truncated in a key', '{"ite'],
    ['truncated after a key', '{"items"'],
    ['truncated after the colon', '{"items":'],
    ['truncated in items', '{"items":[{"a":1},'],
    ['truncated in an item', '{"items":[{"a":[1,2'],
    ['truncated in an item string', '{"items":[{"a":"x\\"}]}'],
    ['missing closing brace', '{"items":[]'],
    ['items as an object', '{"items":{"a":1}}'],
    ['items as a string', '{"items":"[]"}'],
    ['items as a number', '{"items":0}'],
    ['mismatched brackets in an item', '{"items":[{"a":[1}]]}'],
    ['a trailing comma in items', '{"items":[{},]}'],
    ['a trailing comma in the object', '{"items":[],}'],
    ['a missing comma', '{"items":[{}{}]}'],
    ['a missing colon', '{"items" []}'],
    ['an unquoted key', '{items:[]}'],
    ['a bad literal', '{"kind":nul,"items":[]}'],
    ['data after the object', '{"items":[]} {}'],
    ['metadata as an array', '{"metadata":[],"items":[]}'],
    ['metadata that is not JSON', '{"metadata":{"continue":x},"items":[]}'],
    ['a non-string continue token', '{"metadata":{"continue":5},"items":[]}'],
    ['a non-number remainingItemCount', '{"metadata":{"remainingItemCount":"5"},"items":[]}'],
  ])('rejects %s', (_name, text) => {
    expect(() => splitListPage(Buffer.from(text))).toThrow(/^malformed list response: /);
  });

  const object = fc.dictionary(fc.string(), fc.jsonValue());
  const indent = fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n');

  it('matches JSON.parse for arbitrary items (property)', () => {
    fc.assert(
      fc.property(fc.array(object, { maxLength: 8 }), indent, (items, space) => {
        const text = JSON.stringify(
          { kind: 'XList', apiVersion: 'v1', metadata: { continue: 't' }, items },
          null,
          space,
        );
        const page = splitListPage(Buffer.from(text));
        expect(parsed(page.items)).toEqual(items.map(roundTrip));
        expect(page.continue).toBe('t');
      }),
    );
  });

  it('finds items among arbitrary other top-level keys in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 5 }),
        fc.dictionary(
          fc.string().filter((k) => k !== 'items' && k !== 'metadata'),
          fc.jsonValue(),
        ),
        object,
        fc.string(),
        fc.nat(),
        indent,
        (items, others, metaExtra, token, at, space) => {
          const entries: [string, unknown][] = [
            ...Object.entries(others),
            ['metadata', { ...metaExtra, continue: token, resourceVersion: 'rv', remainingItemCount: 5 }],
          ];
          entries.splice(at % (entries.length + 1), 0, ['items', items]);
          const text = JSON.stringify(Object.fromEntries(entries), null, space);
          const page = splitListPage(Buffer.from(text));
          expect(parsed(page.items)).toEqual(items.map(roundTrip));
          expect(page.continue).toBe(token || undefined);
          expect(page.resourceVersion).toBe('rv');
          expect(page.remainingItemCount).toBe(5);
        },
      ),
    );
  });

  it('rejects every truncation of a valid body (property)', () => {
    fc.assert(
      fc.property(fc.array(object, { minLength: 1, maxLength: 4 }), indent, fc.nat(), (items, space, cut) => {
        const body = Buffer.from(JSON.stringify({ metadata: { continue: 't' }, items }, null, space));
        const truncated = body.subarray(0, cut % body.length);
        expect(() => splitListPage(truncated)).toThrow(/^malformed list response: /);
      }),
    );
  });
});

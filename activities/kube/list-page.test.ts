import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kubeItem } from '../../test/fixtures/kube-item.js';
import { readItemHead } from './list-item.js';
import { ListPageSplitter, splitListPage, type ListPageMetadata } from './list-page.js';

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

const object = fc.dictionary(fc.string(), fc.jsonValue());
const indent = fc.constantFrom(undefined, 0, 1, 2, '\t', ' \r\n');

const malformed: [string, string][] = [
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
  ['mismatched brackets balanced in count', '{"items":[{"metadata":{"name":"a"},"x":[{]}}]}'],
  ['mismatched brackets in metadata', '{"items":[{"metadata":{"name":"a","m":[{]}}}]}'],
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
];

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

  it('lets a repeated items key replace an empty one but rejects one after items were found', () => {
    expect(splitListPage(Buffer.from('{"items":null,"items":[],"items":[1]}')).items.map(String)).toEqual(['1']);
    // The splitter hands items out as it finds them and cannot take them back.
    expect(() => splitListPage(Buffer.from('{"items":[1],"items":[2]}'))).toThrow(
      /^malformed list response: repeated items key/,
    );
  });

  it('lets a repeated metadata key replace an invalid one, as JSON.parse does', () => {
    const page = splitListPage(Buffer.from('{"metadata":[],"items":[],"metadata":{"continue":"c"}}'));
    expect(page.continue).toBe('c');
  });

  it.each(malformed)('rejects %s', (_name, text) => {
    expect(() => splitListPage(Buffer.from(text))).toThrow(/^malformed list response: /);
  });

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

const noMetadata: ListPageMetadata = { continue: undefined, resourceVersion: undefined, remainingItemCount: undefined };

/** Cuts `body` at the given offsets (taken modulo its length), each piece a fresh buffer as a socket would give. */
function pieces(body: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const to of [...at, body.length]) {
    out.push(Buffer.from(body.subarray(from, to)));
    from = to;
  }
  return out;
}

const bytes = (body: Buffer): Buffer[] => pieces(body, [...body.keys()]);

/**
 * Feeds the pieces in order; checks every item still holds the bytes it had when it was handed out.
 * With `heads`, also checks each head equals readItemHead of the complete item, whether it was read
 * in the splitter's pass or after the item straddled pieces.
 */
function feed(chunks: Buffer[], heads = false): { items: Buffer[]; metadata: ListPageMetadata } {
  const splitter = new ListPageSplitter(heads ? { labels: true } : undefined);
  const items: Buffer[] = [];
  const copies: Buffer[] = [];
  for (const chunk of chunks) {
    const got = splitter.push(chunk);
    if (heads && (got.length > 0 || splitter.heads.length > 0)) {
      expect(splitter.heads).toHaveLength(got.length);
      got.forEach((item, i) => expect(splitter.heads[i]).toEqual(readItemHead(item, { labels: true })));
    }
    for (const item of got) {
      items.push(item);
      copies.push(Buffer.from(item));
    }
  }
  const metadata = splitter.end();
  items.forEach((item, i) => expect(item.equals(copies[i]!)).toBe(true));
  return { items, metadata };
}

function expectSameSplit(body: Buffer, chunks: Buffer[]): void {
  const whole = splitListPage(body);
  for (const heads of [false, true]) {
    const { items, metadata } = feed(chunks, heads);
    expect(items.map(String)).toEqual(whole.items.map(String));
    expect(items.every((item, i) => item.equals(whole.items[i]!))).toBe(true);
    expect(metadata).toEqual({
      continue: whole.continue,
      resourceVersion: whole.resourceVersion,
      remainingItemCount: whole.remainingItemCount,
    });
  }
}

/** Whether feeding the pieces fails, by a push or by end(), with the list response error; with and without heads. */
function rejects(chunks: Buffer[]): void {
  for (const heads of [undefined, { labels: true }]) {
    const splitter = new ListPageSplitter(heads);
    expect(() => {
      for (const chunk of chunks) splitter.push(chunk);
      splitter.end();
    }).toThrow(/^malformed list response: /);
    // Once failed, it stays failed rather than resuming a half-scanned body.
    expect(() => splitter.push(Buffer.from(' '))).toThrow(/^malformed list response: /);
    expect(() => splitter.end()).toThrow(/^malformed list response: /);
  }
}

describe('ListPageSplitter', () => {
  it('hands out items as they complete and the metadata once it has arrived', () => {
    const items = [configMap(1), configMap(2)];
    const body = Buffer.from(
      JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: '7', continue: 'next' }, items }),
    );
    const metadataEnd = body.indexOf('},"items"') + 1;
    const firstItemEnd = body.indexOf(JSON.stringify(items[0])) + JSON.stringify(items[0]).length;
    const splitter = new ListPageSplitter();

    expect(splitter.push(body.subarray(0, metadataEnd - 1))).toEqual([]);
    expect(splitter.metadata).toBeUndefined();
    expect(splitter.push(body.subarray(metadataEnd - 1, metadataEnd))).toEqual([]);
    expect(splitter.metadata).toEqual({ continue: 'next', resourceVersion: '7', remainingItemCount: undefined });
    expect(splitter.push(body.subarray(metadataEnd, firstItemEnd - 1))).toEqual([]);
    expect(parsed(splitter.push(body.subarray(firstItemEnd - 1, firstItemEnd)))).toEqual([items[0]]);
    expect(parsed(splitter.push(body.subarray(firstItemEnd)))).toEqual([items[1]]);
    expect(splitter.end()).toEqual({ continue: 'next', resourceVersion: '7', remainingItemCount: undefined });
  });

  it('gives the metadata only after items that come before it', () => {
    const body = Buffer.from('{"items":[{"a":1}],"metadata":{"continue":"c"}}');
    const splitter = new ListPageSplitter();
    const seen: unknown[] = [];
    for (const chunk of bytes(body)) {
      for (const item of splitter.push(chunk)) seen.push([JSON.parse(String(item)), splitter.metadata]);
    }
    expect(seen).toEqual([[{ a: 1 }, undefined]]);
    expect(splitter.metadata?.continue).toBe('c');
    expect(splitter.end().continue).toBe('c');
  });

  it('returns no metadata fields for a body without metadata', () => {
    const splitter = new ListPageSplitter();
    expect(splitter.push(Buffer.from('{"items":[1]'))).toEqual([Buffer.from('1')]);
    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    expect(splitter.push(Buffer.from('}\n'))).toEqual([]);
    expect(splitter.metadata).toBeUndefined();
    expect(splitter.end()).toEqual(noMetadata);
  });

  it('splits byte by byte across escapes, multi-byte characters, keys and scalars', () => {
    const raw = [
      String.raw`{"a":"a\"b","b":"\\","c":"ends with backslash\\","d":"\\\"","e":"\"]}[{"}`,
      String.raw`{"k\"ey":"\\\\\\","nested":["\"",{"x":"}\\"}],"u":"\u00e9\ud83d\ude80\/"}`,
      JSON.stringify({ name: 'héllo wörld', emoji: '🚀🎉 👩‍👩‍👧', cjk: '日本語', escaped: '\u2028\u0000\t' }),
      '[[],{},[{"a":[1,{"b":null}]}]]',
      '"a string item with \\" and ü"',
      '-12.5e-3',
      'true',
      'null',
    ];
    const text = `{"kind" : "XList","\\u0069tems" :\t[ ${raw.join(' ,\n')} ] ,"meta\\u0064ata":{"continue":"\\"t\\\\ü","remainingItemCount":12345}}\r\n`;
    const body = Buffer.from(text);

    const { items, metadata } = feed(bytes(body));

    expect(items.map(String)).toEqual(raw);
    expect(metadata).toEqual({ continue: '"t\\ü', resourceVersion: undefined, remainingItemCount: 12345 });
    expectSameSplit(body, bytes(body));
  });

  it('matches splitListPage for every cut of a small body into three pieces', () => {
    // The first piece becomes the buffer as is and the second forces a new one, so this covers
    // every kind of token left open when the buffer changes.
    const body = Buffer.from(
      '{"kind":"X","\\u0069tems":[12,"s\\"ü",{"a":[1,"]"]},true, null],"metadata":{"continue":"c"},"n":-1.5}',
    );
    for (let i = 0; i <= body.length; i++) {
      for (let j = i; j <= body.length; j++) expectSameSplit(body, pieces(body, [i, j]));
    }
  });

  it('keeps earlier items intact while the buffer grows past large items', () => {
    const items = [configMap(0), { big: 'x'.repeat(100_000), esc: '\\"'.repeat(1000) }, ...[1, 2, 3].map(configMap)];
    const body = Buffer.from(JSON.stringify({ metadata: { continue: 'k' }, items }, null, 1));
    for (const size of [1, 7, 1000, 16 * 1024, 100_000]) {
      const chunks = pieces(
        body,
        Array.from({ length: Math.ceil(body.length / size) }, (_, i) => i * size),
      );
      const { items: got } = feed(chunks);
      expect(parsed(got)).toEqual(items);
    }
  });

  it('tracks nesting deeper than it first makes room for', () => {
    const deep = '[{"a":'.repeat(100) + '[]' + '}]'.repeat(100);
    const body = Buffer.from(`{"items":[${deep},1]}`);
    expect(feed(pieces(body, [150, 700])).items.map(String)).toEqual([deep, '1']);
    rejects(pieces(Buffer.from(`{"items":[${deep.slice(0, -2)}]}]}`), [150, 700]));
  });

  it('matches splitListPage however the body is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(object, fc.jsonValue(), kubeItem), { maxLength: 6 }),
        fc.dictionary(
          fc.string().filter((k) => k !== 'items' && k !== 'metadata'),
          fc.jsonValue(),
          { maxKeys: 3 },
        ),
        fc.string(),
        fc.nat(),
        indent,
        fc.oneof(fc.array(fc.nat(), { maxLength: 40 }), fc.constant('bytes' as const)),
        (items, others, token, at, space, cuts) => {
          const entries: [string, unknown][] = [
            ['metadata', { continue: token, resourceVersion: 'rv', remainingItemCount: 5 }],
            ...Object.entries(others),
          ];
          entries.splice(at % (entries.length + 1), 0, ['items', items]);
          const body = Buffer.from(JSON.stringify(Object.fromEntries(entries), null, space));
          expectSameSplit(body, cuts === 'bytes' ? bytes(body) : pieces(body, cuts));
        },
      ),
      // Bodies fed a byte at a time are slow to check; fewer runs keep this under a few seconds.
      { numRuns: 60 },
    );
  });

  it.each(malformed)('rejects %s pushed whole or fed byte by byte', (_name, text) => {
    rejects([Buffer.from(text)]);
    rejects(bytes(Buffer.from(text)));
  });

  it('rejects a body ending anywhere, however it is cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(object, kubeItem), { minLength: 1, maxLength: 4 }),
        indent,
        fc.nat(),
        fc.array(fc.nat(), { maxLength: 20 }),
        (items, space, cut, cuts) => {
          const body = Buffer.from(JSON.stringify({ metadata: { continue: 't' }, items }, null, space));
          rejects(pieces(body.subarray(0, cut % body.length), cuts));
        },
      ),
    );
  });

  it('leaves the head of an item it cannot read undefined, for the caller to parse, instead of failing', () => {
    const splitter = new ListPageSplitter({ labels: true });
    const items = splitter.push(Buffer.from('{"items":[{"metadata":{"name":"a\\q"}},{"metadata":{"name":"b"}}]}'));
    expect(items.map(String)).toEqual(['{"metadata":{"name":"a\\q"}}', '{"metadata":{"name":"b"}}']);
    expect(splitter.heads).toEqual([undefined, { object: { metadata: { name: 'b' } }, hasSpec: false }]);
    expect(splitter.end().continue).toBeUndefined();
  });

  it('reports malformed bytes from the push that brings them', () => {
    const splitter = new ListPageSplitter();
    expect(parsed(splitter.push(Buffer.from('{"items":[{"a":1},')))).toEqual([{ a: 1 }]);
    expect(() => splitter.push(Buffer.from('{"a":[}'))).toThrow(/^malformed list response: mismatched '}'/);
  });
});

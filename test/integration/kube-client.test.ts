import { beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, type KubeClient } from '../../activities/kube/client.js';
import type { KubeObject } from '../../resources/types.js';
import { kube, uniqueName } from './harness.js';
import { createConfigMaps } from './kube-apply.js';

// The backup's streamed listing against a real API server: every object once, as the server
// lists it, with pages requested ahead.

describe('KubeClient.listRawItems', () => {
  let k: KubeClient;
  let ns: string;
  const count = 1203; // plus the namespace's kube-root-ca.crt: 13 pages of 100
  beforeAll(async () => {
    k = await kube('a');
    ns = uniqueName('rawlist');
    await k.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await createConfigMaps(k, ns, count);
  }, 120_000);

  it('yields every object of every page exactly once, as the server lists it', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const expected = new Map<string, KubeObject>();
    for await (const page of k.listPages<KubeObject>(path, {}, 100))
      for (const o of page.items) expected.set(o.metadata.name, o);

    const seen = new Map<string, KubeObject>();
    const pages: number[] = [];
    for await (const batch of k.listRawItems(path, {}, 100)) {
      for (const raw of batch.items) {
        const o = JSON.parse(raw.toString('utf8')) as KubeObject;
        expect(seen.has(o.metadata.name)).toBe(false);
        seen.set(o.metadata.name, o);
      }
      if (batch.page) pages.push(batch.page.itemCount);
    }
    expect(seen.size).toBe(count + 1);
    expect(pages).toEqual([...Array<number>(12).fill(100), 4]);
    expect([...seen.keys()].sort()).toEqual([...expected.keys()].sort());
    expect(seen.get('cm-00042')).toEqual(expected.get('cm-00042'));
  });

  it('reads the head of every item the server sends, in the same pass', async () => {
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    let n = 0;
    for await (const batch of k.listRawItems(path, {}, 100, { labels: true })) {
      expect(batch.heads ?? []).toHaveLength(batch.items.length);
      batch.items.forEach((raw, i) => {
        const o = JSON.parse(raw.toString('utf8')) as KubeObject;
        // Built-in list items come without apiVersion and kind; a ConfigMap has no spec.
        expect(batch.heads![i]).toEqual({
          object: {
            metadata: { name: o.metadata.name, namespace: ns, ...(o.metadata.labels && { labels: o.metadata.labels }) },
          },
          hasSpec: false,
        });
        n++;
      });
    }
    expect(n).toBe(count + 1);
  });

  it('fails with the API server reason for a type it does not serve', async () => {
    const listing = async () => {
      for await (const _ of k.listRawItems('/apis/example.com/v1/nothings')) return;
    };
    await expect(listing()).rejects.toSatisfy((e: unknown) => e instanceof KubeApiError && e.status === 404);
  });
});

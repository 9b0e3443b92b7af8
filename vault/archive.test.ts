import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createGzip, inflateRawSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, ResourceRef } from '../resources/types.js';
import { ArchiveWriter, readArchive, type ArchiveEntry } from './archive.js';
import { FilesystemObjectStore } from './filesystem.js';

let dir: string;
let store: FilesystemObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-archive-'));
  store = new FilesystemObjectStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function configMap(i: number, version = 'v1', payload = `value-${i}`): { ref: ResourceRef; object: KubeObject } {
  const namespace = `ns-${i % 7}`;
  const name = `cm-${i}`;
  return {
    ref: { group: '', version, resource: 'configmaps', namespace, name },
    object: { apiVersion: version, kind: 'ConfigMap', metadata: { name, namespace }, data: { payload } },
  };
}

/** Gzip members in a file: each one is inflated to its end to find where the next begins. */
function gzipMembers(gz: Buffer): number {
  let count = 0;
  for (let at = 0; at < gz.length; count++) {
    const { engine } = inflateRawMember(gz.subarray(at + 10)); // fixed 10-byte header, no optional fields
    at += 10 + engine + 8; // deflate data, then CRC32 and size
  }
  return count;
}

function inflateRawMember(data: Buffer): { engine: number } {
  const result = inflateRawSync(data, { info: true }) as unknown as { engine: { bytesWritten: number } };
  return { engine: result.engine.bytesWritten };
}

async function entriesOf(source: Readable): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for await (const e of readArchive(source)) out.push(e);
  return out;
}

describe('archive round trip', () => {
  it('writes thousands of objects through a store and reads every one back', async () => {
    const n = 3000;
    const writer = new ArchiveWriter();
    const upload = store.put('backups/b1/b1.tar.gz', writer.stream);
    for (let i = 0; i < n; i++) {
      const { ref, object } = configMap(i);
      await writer.addObject(ref, object, { preferred: true });
    }
    // A second served version of one group, not preferred: stored under its own directory only.
    await writer.addObject(
      { group: 'apps', version: 'v1beta2', resource: 'deployments', namespace: 'shop', name: 'web' },
      { apiVersion: 'apps/v1beta2', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } },
      { preferred: false },
    );
    await writer.addObject(
      { group: '', version: 'v1', resource: 'namespaces', name: 'shop' },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      { preferred: true },
    );
    await writer.finish();
    await upload;

    const entries = await entriesOf(await store.getStream('backups/b1/b1.tar.gz'));
    expect(entries[0]).toEqual({ kind: 'formatVersion', path: 'metadata/version', formatVersion: '1.1.0' });
    expect(entries).toHaveLength(1 + 2 * n + 1 + 2);
    expect(writer.entries).toBe(entries.length);

    const objects = entries.filter((e) => e.kind === 'object');
    const legacy = objects.filter((e) => e.item.version === undefined);
    const preferred = objects.filter((e) => e.item.version !== undefined && e.item.preferred);
    expect(legacy).toHaveLength(n + 1);
    expect(preferred).toHaveLength(n + 1);
    // cm-1234 lives in ns-2 (1234 % 7).
    const cm = objects.find((e) => e.path === 'resources/configmaps/v1-preferredversion/namespaces/ns-2/cm-1234.json');
    expect(cm?.object).toEqual(configMap(1234).object);
    expect(cm?.item).toEqual({
      groupResource: 'configmaps',
      version: 'v1',
      preferred: true,
      namespace: 'ns-2',
      name: 'cm-1234',
    });
    expect(objects.filter((e) => e.item.groupResource === 'deployments.apps').map((e) => e.path)).toEqual([
      'resources/deployments.apps/v1beta2/namespaces/shop/web.json',
    ]);
    expect(objects.filter((e) => e.item.groupResource === 'namespaces').map((e) => e.path)).toEqual([
      'resources/namespaces/cluster/shop.json',
      'resources/namespaces/v1-preferredversion/cluster/shop.json',
    ]);
  });

  it('keeps memory flat however many objects go through a slow upload', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // V8 heap plus Buffers (which live outside it): where a buffering writer would keep the data.
    const retained = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };

    const n = 4000;
    const payload = 'x'.repeat(8 * 1024); // 4000 objects x 2 paths x 8 KiB = 64 MiB of tar entries
    const writer = new ArchiveWriter();
    let uploaded = 0;
    const slowSink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        uploaded += chunk.length;
        setImmediate(cb);
      },
    });
    writer.stream.pipe(slowSink);
    const sinkDone = new Promise((r) => slowSink.on('finish', r));

    const baseline = retained();
    let peak = 0;
    for (let i = 0; i < n; i++) {
      const { ref, object } = configMap(i, 'v1', payload);
      await writer.addObject(ref, object, { preferred: true });
      if (i % 500 === 499) peak = Math.max(peak, retained() - baseline);
    }
    await writer.finish();
    await sinkDone;

    expect(uploaded).toBeGreaterThan(0);
    expect(writer.entries).toBe(1 + 2 * n);
    // Generous: a writer that queued entries would hold tens of MiB here.
    expect(peak).toBeLessThan(12 * 1024 * 1024);
  }, 60_000);

  it('waits for the consumer instead of buffering: an unread archive stalls its producer', async () => {
    const writer = new ArchiveWriter();
    const n = 1000;
    let added = 0;
    const producing = (async () => {
      for (let i = 0; i < n; i++) {
        // Random payloads so compression cannot absorb them.
        const { ref, object } = configMap(i, 'v1', randomBytes(8 * 1024).toString('base64'));
        await writer.addObject(ref, object, { preferred: false });
        added++;
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    // About 1.3 MiB of framed tar wait for the consumer (the members in flight, the chunk being
    // framed, the stream's buffers); at ~11 KiB an object that is under 120 objects, far from all 1,000.
    expect(added).toBeLessThan(200);

    const reading = entriesOf(writer.stream);
    await producing;
    await writer.finish();
    expect((await reading).filter((e) => e.kind === 'object')).toHaveLength(n);
  });

  it('is a multi-member gzip that gzip and tar read as one archive', async () => {
    const writer = new ArchiveWriter();
    const upload = store.put('backups/b1/b1.tar.gz', writer.stream);
    const n = 2000; // ~2 MiB of tar (cm-1999 is in ns-4): several 256 KiB members
    for (let i = 0; i < n; i++) {
      const { ref, object } = configMap(i, 'v1', randomBytes(256).toString('base64'));
      await writer.addObject(ref, object, { preferred: true });
    }
    await writer.finish();
    await upload;
    const file = join(dir, 'backups/b1/b1.tar.gz');
    const gz = await readFile(file);
    expect(gzipMembers(gz)).toBeGreaterThan(4);
    execFileSync('gzip', ['-t', file]);
    const listed = execFileSync('tar', ['-tzf', file], { maxBuffer: 64 * 1024 * 1024 })
      .toString()
      .trim()
      .split('\n');
    expect(listed).toHaveLength(writer.entries);
    expect(listed[0]).toBe('metadata/version');
    expect(listed).toContain('resources/configmaps/v1-preferredversion/namespaces/ns-4/cm-1999.json');
  });

  it('keeps names of every length and script: split ustar names, PAX records for the rest', async () => {
    const objects: Array<[namespace: string, name: string]> = [
      ['team-a', 'short'],
      ['team-a', 'x'.repeat(60)], // path just under 100 bytes
      ['team-a', 'y'.repeat(64)], // path just over 100 bytes: ustar prefix and name
      ['team-a', 'z'.repeat(253)], // the longest Kubernetes name: PAX
      ['team-a', 'grüße-café'], // non-ASCII: PAX, UTF-8
      ['team-a', '設定-Ā'], // characters past Latin-1, whose low bytes are ASCII
      ['Ła', 'short'], // a non-ASCII directory, Ł's low byte being 'A'
      ['team-a', 'after'], // back to an ASCII directory
    ];
    const writer = new ArchiveWriter();
    const upload = store.put('backups/b1/b1.tar.gz', writer.stream);
    for (const [namespace, name] of objects) {
      const ref: ResourceRef = { group: 'example.com', version: 'v1', resource: 'widgets', namespace, name };
      const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace } };
      await writer.addObject(ref, object, { preferred: true });
    }
    await writer.finish();
    await upload;
    const file = join(dir, 'backups/b1/b1.tar.gz');
    const paths = objects.flatMap(([namespace, name]) => [
      `resources/widgets.example.com/namespaces/${namespace}/${name}.json`,
      `resources/widgets.example.com/v1-preferredversion/namespaces/${namespace}/${name}.json`,
    ]);
    const entries = await entriesOf(Readable.from([await readFile(file)]));
    expect(entries.map((e) => e.path)).toEqual(['metadata/version', ...paths]);
    expect(entries.slice(1).map((e) => e.kind === 'object' && e.object.metadata.name)).toEqual(
      objects.flatMap(([, n]) => [n, n]),
    );
    const listed = execFileSync('tar', ['-tzf', file]).toString('utf8').trim().split('\n');
    expect(listed).toEqual(['metadata/version', ...paths]);
  });

  it('refuses names that would escape their directory, and writes nothing for them', async () => {
    const writer = new ArchiveWriter();
    const reading = entriesOf(writer.stream);
    for (const name of ['..', '../../etc/passwd', 'a/b', '']) {
      const ref: ResourceRef = { group: '', version: 'v1', resource: 'configmaps', namespace: 'team-a', name };
      await expect(writer.addObject(ref, configMap(0).object, { preferred: true })).rejects.toThrow(/invalid object/);
    }
    await writer.addObject(configMap(1).ref, configMap(1).object, { preferred: true });
    await writer.finish();
    expect((await reading).map((e) => e.path)).toEqual([
      'metadata/version',
      'resources/configmaps/namespaces/ns-1/cm-1.json',
      'resources/configmaps/v1-preferredversion/namespaces/ns-1/cm-1.json',
    ]);
  });

  it('stores an object larger than a gzip member, between small ones, intact', async () => {
    const writer = new ArchiveWriter();
    const reading = entriesOf(writer.stream);
    const big = configMap(1, 'v1', 'y'.repeat(1536 * 1024)); // the API server's limit is about 1.5 MiB
    for (const o of [configMap(0), big, configMap(2)]) await writer.addObject(o.ref, o.object, { preferred: true });
    await writer.finish();
    const objects = (await reading).filter((e) => e.kind === 'object');
    expect(objects.map((e) => e.object.metadata.name)).toEqual(['cm-0', 'cm-0', 'cm-1', 'cm-1', 'cm-2', 'cm-2']);
    expect(objects[2]!.object).toEqual(big.object);
    expect(objects[3]!.object).toEqual(big.object);
  });

  it('an aborted archive fails its upload and leaves no object behind', async () => {
    const writer = new ArchiveWriter();
    const upload = store.put('backups/b1/b1.tar.gz', writer.stream);
    const { ref, object } = configMap(1);
    await writer.addObject(ref, object, { preferred: true });
    writer.abort(new Error('cluster went away'));
    await expect(upload).rejects.toThrow('cluster went away');
    await expect(writer.addObject(ref, object, { preferred: true })).rejects.toThrow();
    expect(await store.exists('backups/b1/b1.tar.gz')).toBe(false);
  });

  it('a failed upload releases a producer waiting on a full buffer', async () => {
    const writer = new ArchiveWriter();
    const producing = (async () => {
      for (let i = 0; i < 200; i++) {
        const { ref, object } = configMap(i, 'v1', randomBytes(8 * 1024).toString('base64'));
        await writer.addObject(ref, object, { preferred: false });
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    writer.stream.destroy(); // what an upload client does when its connection drops
    await expect(producing).rejects.toThrow(/closed before the archive was finished/);
  });
});

describe('readArchive', () => {
  // An archive shaped like other tools write them: directory entries, `./` prefixes, extra files.
  async function foreignArchive(entries: Array<{ name: string; type?: 'file' | 'directory'; body?: string }>) {
    const pack = tar.pack();
    for (const e of entries) {
      if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory' });
      else pack.entry({ name: e.name }, e.body ?? '');
    }
    pack.finalize();
    const gz = createGzip();
    pack.pipe(gz);
    const chunks: Buffer[] = [];
    for await (const c of gz) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  it('reads archives written by other tools', async () => {
    const body = await foreignArchive([
      { name: 'metadata/version', body: '1.1.0\n' },
      { name: './resources/', type: 'directory' },
      {
        name: './resources/secrets/namespaces/shop/db.json',
        body: '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"}}',
      },
      {
        name: 'resources/secrets/v1-preferredversion/namespaces/shop/db.json',
        body: '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"}}',
      },
      { name: 'plugin-data/extra.bin', body: 'opaque' },
    ]);
    const entries = await entriesOf(Readable.from([body]));
    expect(entries.map((e) => `${e.kind} ${e.path}`)).toEqual([
      'formatVersion metadata/version',
      'object resources/secrets/namespaces/shop/db.json',
      'object resources/secrets/v1-preferredversion/namespaces/shop/db.json',
      'other plugin-data/extra.bin',
    ]);
  });

  it('names the entry that is not JSON', async () => {
    const body = await foreignArchive([{ name: 'resources/pods/namespaces/a/p.json', body: '{not json' }]);
    await expect(entriesOf(Readable.from([body]))).rejects.toThrow(
      /resources\/pods\/namespaces\/a\/p\.json is not valid JSON/,
    );
  });

  it('fails on a truncated archive instead of ending quietly', async () => {
    const writer = new ArchiveWriter();
    const reading = (async () => {
      const chunks: Buffer[] = [];
      for await (const c of writer.stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    })();
    for (let i = 0; i < 50; i++) {
      const { ref, object } = configMap(i, 'v1', randomBytes(512).toString('hex'));
      await writer.addObject(ref, object, { preferred: true });
    }
    await writer.finish();
    const whole = await reading;
    await expect(entriesOf(Readable.from([whole.subarray(0, Math.floor(whole.length / 2))]))).rejects.toThrow();
  });

  it('stops reading the source when the consumer stops early', async () => {
    const writer = new ArchiveWriter();
    const source = new PassThrough();
    writer.stream.pipe(source);
    const producing = (async () => {
      for (let i = 0; i < 100; i++) {
        // Incompressible, so gzip emits data long before the archive ends.
        const { ref, object } = configMap(i, 'v1', randomBytes(8 * 1024).toString('base64'));
        await writer.addObject(ref, object, { preferred: true });
      }
    })();
    let objects = 0;
    for await (const e of readArchive(source)) {
      if (e.kind === 'object' && ++objects === 3) break;
    }
    expect(source.destroyed).toBe(true);
    // Nobody reads any more: the producer is stalled, not finished, until the archive is abandoned.
    writer.abort();
    await expect(producing).rejects.toThrow('archive aborted');
  });
});

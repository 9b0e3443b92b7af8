// The readiness wait adds its result to the end of the restore's log: ready again, or the objects
// that did not become ready (with the FAQ's timeout failure).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VaultCreate } from '../../domain/vault.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';
import type { KubeClient } from '../kube/client.js';
import { createRestoreClusterActivities } from './cluster.js';
import type { ReadinessCheck } from './readiness.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'readiness-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function waitWith(ready: boolean, timeoutMinutes: number): Promise<{ log: string; err: unknown }> {
  const vault: VaultCreate = { name: 'v', backend: 'filesystem', path: dir };
  const store = new BackupStore(new FilesystemObjectStore(dir), '');
  await store.putRestoreFile('r1', 'logs', gzipSync('time="t" level=info msg="Restored 2 of 2 items" restore=r1\n'));
  const kube = {
    get: async () => ({ status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } }),
  } as unknown as KubeClient;
  const activities = createRestoreClusterActivities({ cluster: 'b', kube, logger: pino({ level: 'silent' }) });
  const checks: ReadinessCheck[] = [
    {
      kind: 'Pod',
      path: '/api/v1/namespaces/shop/pods/web',
      describe: 'Pod shop/web is not Ready',
      logTo: { restore: 'r1', vault },
    },
    { kind: 'Pod', path: '/api/v1/namespaces/shop/pods/db', describe: 'Pod shop/db is not Ready' },
  ];
  const err = await new MockActivityEnvironment().run(activities.waitResourcesReady, { checks, timeoutMinutes }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const log = gunzipSync(await store.objects.get(store.layout.restoreKey('r1', 'logs'))).toString('utf8');
  return { log, err };
}

describe('waitResourcesReady adds its result to the restore log', () => {
  it('ready again', async () => {
    const { log, err } = await waitWith(true, 1);
    expect(err).toBeUndefined();
    const lines = log.trimEnd().split('\n');
    expect(lines[0]).toBe('time="t" level=info msg="Restored 2 of 2 items" restore=r1');
    expect(lines[1]).toMatch(
      /^time="[^"]+" level=info msg="Restored objects are ready again" duration=\S+ objects=2 restore=r1$/,
    );
    expect(lines).toHaveLength(2);
  });

  it('not ready in time: which objects, and the timeout failure', async () => {
    const { log, err } = await waitWith(false, 0);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe('CreateResourcesTimeout');
    expect(log).toMatch(
      /level=error msg="Restored objects did not become ready in time" duration=\S+ notReady=2 objects=2 restore=r1\n/,
    );
    expect(log).toContain('level=error msg="Not ready" object="Pod shop/web is not Ready" restore=r1\n');
    expect(log).toContain('level=error msg="Not ready" object="Pod shop/db is not Ready" restore=r1\n');
  });
});

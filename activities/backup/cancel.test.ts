// A cancelled backup stops promptly: backupResources, cancelled (as a heartbeat would tell it)
// while it reads the first page of its first type, reads no further page or type, removes what it
// staged in the vault, and fails with the SDK's CancelledFailure.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { VaultCreate } from '../../domain/vault.js';
import type { ApiResourceType } from '../../resources/types.js';
import type { KubeClient, RawItemBatch } from '../kube/client.js';
import { createBackupClusterActivities, type BackupPlan } from './cluster.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'backup-cancel-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const type = (resource: string, kind: string): ApiResourceType => ({
  group: '',
  resource,
  kind,
  namespaced: true,
  versions: ['v1'],
  preferredVersion: 'v1',
  verbs: ['list', 'get', 'create'],
});

const configMap = (name: string) =>
  Buffer.from(JSON.stringify({ metadata: { name, namespace: 'shop' }, data: { k: name } }));

/** A cluster whose configmaps come in two pages; `onPage` runs as each page is handed over. */
function fakeKube(listed: string[], onPage: (path: string, page: number) => void): KubeClient {
  return {
    get: async (path: string) => {
      throw new Error(`unexpected GET ${path}`);
    },
    async *listRawItems(path: string): AsyncGenerator<RawItemBatch> {
      listed.push(path);
      for (const [page, names] of [['a', 'b'], ['c']].entries()) {
        onPage(path, page);
        yield {
          items: names.map(configMap),
          page: {
            itemCount: names.length,
            remainingItemCount: 0,
            continue: page === 0 ? 'next' : undefined,
            resourceVersion: '1',
          },
        };
      }
    },
  } as unknown as KubeClient;
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('backupResources cancelled', () => {
  it('reads no further page or type, leaves nothing in the vault, and fails with CancelledFailure', async () => {
    const env = new MockActivityEnvironment();
    const listed: string[] = [];
    const activities = createBackupClusterActivities({
      cluster: 'a',
      kube: fakeKube(listed, (_path, page) => {
        if (page === 0) env.cancel(); // the cancel request arrives while the first page is read
      }),
      logger: pino({ level: 'silent' }),
    });
    const spec = { name: 'b1', cluster: 'a', vault: 'v', includedNamespaces: ['shop'] } as BackupCreate;
    const plan: BackupPlan = {
      namespaces: ['shop'],
      selection: {
        namespaced: [type('configmaps', 'ConfigMap'), type('secrets', 'Secret')],
        clusterScoped: [],
        clusterScopedOnDemand: [],
        skipped: [],
        unknown: [],
      },
      warnings: [],
      errors: [],
    };
    const vault: VaultCreate = { name: 'v', backend: 'filesystem', path: dir };

    const err = await env
      .run(activities.backupResources, { spec, plan, vault, archiveTime: '2026-01-01T00:00:00Z' })
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(err).toBeInstanceOf(CancelledFailure);
    expect(listed).toEqual(['/api/v1/configmaps']); // secrets never listed
    expect(await filesUnder(dir)).toEqual([]);
  });
});

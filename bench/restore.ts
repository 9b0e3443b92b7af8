// Restore throughput against its floor: creating the same objects through the same client, with
// the same concurrency, in the same run. Prints objects/s of both and the ratio (goal: <= 1.5x).
//   npx tsx bench/restore.ts [1000,10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBackupClusterActivities, type BackupPlan } from '../activities/backup/cluster.js';
import { KubeClient } from '../activities/kube/client.js';
import { createRestoreClusterActivities } from '../activities/restore/cluster.js';
import type { BackupCreate } from '../domain/backup.js';
import type { RestoreCreate } from '../domain/restore.js';
import { openVault } from '../vault/open.js';
import { createLogger } from '../lib/logger.js';
import { newBackupMetadata } from '../vault/backup-metadata.js';
import { startControlPlane } from '../servers/kube.js';
import { toolPaths } from '../servers/tools.js';
import { configMapsBackup, createConfigMaps } from '../test/integration/kube-apply.js';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const CONCURRENCY = 8;
const dir = mkdtempSync(join(tmpdir(), 'bc-bench-'));
const cp = await startControlPlane({ name: 'bench', dir: join(dir, 'cluster'), bins: toolPaths() });
const logger = createLogger('bench');
try {
  const kube = await KubeClient.fromFile(cp.kubeconfigPath);
  const deps = { cluster: 'bench', kube, logger, concurrency: CONCURRENCY };
  const backupActs = createBackupClusterActivities(deps);
  const restoreActs = createRestoreClusterActivities(deps);
  const env = new MockActivityEnvironment();
  const vault = { name: 'bench', backend: 'filesystem' as const, path: mkdtempSync(join(dir, 'vault-')) };
  console.log('objects  create obj/s  restore obj/s  ratio(restore/create time)');
  for (const size of sizes) {
    const ns = `bench-${size}`;
    await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await createConfigMaps(kube, ns, size);
    const spec: BackupCreate = {
      ...configMapsBackup(`b-${size}`, 'bench', 'bench', ns),
      includeClusterResources: false,
    };
    const plan: BackupPlan = await env.run(() => backupActs.planBackup({ spec, ownNamespace: 'backup-center' }));
    await env.run(() => backupActs.backupResources({ spec, plan, vault, archiveTime: new Date(0).toISOString() }));
    const now = new Date().toISOString();
    await openVault(vault).commitBackup(
      spec.name,
      newBackupMetadata({
        name: spec.name,
        storageLocation: 'bench',
        cluster: 'bench',
        phase: 'Completed',
        startTimestamp: now,
        completionTimestamp: now,
      }),
    );

    // Baseline: the same ConfigMaps created into an empty namespace through the same client.
    const items = (
      await kube.get<{ items: Array<{ metadata: { name: string }; data?: unknown }> }>(
        `/api/v1/namespaces/${ns}/configmaps`,
      )
    ).items;
    const plainNs = `${ns}-plain`;
    await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: plainNs } } });
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < items.length) {
          const cm = items[next++]!;
          if (cm.metadata.name === 'kube-root-ca.crt') continue;
          await kube.request('POST', `/api/v1/namespaces/${plainNs}/configmaps`, {
            body: { metadata: { name: cm.metadata.name }, data: cm.data },
          });
        }
      }),
    );
    const createMs = performance.now() - t0;

    const restore = {
      name: `r-${size}`,
      backupName: spec.name,
      cluster: 'bench',
      namespaceMapping: { [ns]: `${ns}-restored` },
    } as RestoreCreate;
    const t1 = performance.now();
    const done: { itemsRestored: number } = await env.run(() => restoreActs.restoreResources({ spec: restore, vault }));
    const restoreMs = performance.now() - t1;
    console.log(
      `${String(size).padStart(7)}  ${((size / createMs) * 1000).toFixed(0).padStart(12)}  ${((done.itemsRestored / restoreMs) * 1000).toFixed(0).padStart(13)}  ${(restoreMs / createMs).toFixed(2)}x`,
    );
  }
} finally {
  await cp.stop();
  rmSync(dir, { recursive: true, force: true });
}

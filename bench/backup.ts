// Backup throughput against its floor: a plain paginated list of the same objects through the
// same client in the same run. Prints objects/s of both and the ratio (goal: backup <= 1.5x list).
//   npx tsx bench/backup.ts [1000,10000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBackupClusterActivities, type BackupPlan } from '../activities/backup/cluster.js';
import { KubeClient } from '../activities/kube/client.js';
import type { BackupCreate } from '../domain/backup.js';
import { createLogger } from '../lib/logger.js';
import { startControlPlane } from '../servers/kube.js';
import { toolPaths } from '../servers/tools.js';
import { configMapsBackup, createConfigMaps } from '../test/integration/kube-apply.js';

const sizes = (process.argv[2] ?? '1000,10000').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const warmup = Number(process.env.BENCH_WARMUP ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'bc-bench-'));
const cp = await startControlPlane({ name: 'bench', dir: join(dir, 'cluster'), bins: toolPaths() });
const logger = createLogger('bench');
try {
  const kube = await KubeClient.fromFile(cp.kubeconfigPath);
  const activities = createBackupClusterActivities({ cluster: 'bench', kube, logger });
  const env = new MockActivityEnvironment();
  console.log('objects  list obj/s  backup obj/s  ratio (backup time / list time)');
  for (const size of sizes) {
    const ns = `bench-${size}`;
    await kube.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await createConfigMaps(kube, ns, size);
    const spec: BackupCreate = { ...configMapsBackup('', 'bench', 'bench', ns), includeClusterResources: false };
    const plan: BackupPlan = await env.run(() => activities.planBackup({ spec, ownNamespace: 'backup-center' }));
    const ratios: number[] = [];
    const listRates: number[] = [];
    const backupRates: number[] = [];
    // The first rounds warm up, as in a long-running agent, and are not counted: measured per round,
    // both sides kept getting faster for about five rounds of 1,000 objects (JIT compilation on the
    // same two cores, connections, compression workers).
    for (let r = 1 - warmup; r <= rounds; r++) {
      // Alternate the order so neither side always runs on a warmer server.
      const list = async () => {
        const t = performance.now();
        let n = 0;
        for await (const page of kube.listPages(`/api/v1/configmaps`)) n += page.items.length;
        return { ms: performance.now() - t, n };
      };
      const backup = async () => {
        const vaultDir = mkdtempSync(join(dir, 'vault-'));
        const t = performance.now();
        const out: { itemsBackedUp: number } = await env.run(() =>
          activities.backupResources({
            spec: { ...spec, name: `b${r}` },
            plan,
            vault: { name: 'bench', backend: 'filesystem', path: vaultDir },
            archiveTime: new Date(0).toISOString(),
          }),
        );
        const ms = performance.now() - t;
        rmSync(vaultDir, { recursive: true, force: true });
        return { ms, n: out.itemsBackedUp };
      };
      const [l, b] = r % 2 === 0 ? [await list(), await backup()] : [undefined, await backup()];
      const l2 = l ?? (await list());
      if (r <= 0) continue;
      ratios.push(b.ms / l2.ms);
      if (process.env.BENCH_VERBOSE)
        console.log(`round ${r}: list ${l2.ms.toFixed(1)} ms, backup ${b.ms.toFixed(1)} ms`);
      listRates.push((l2.n / l2.ms) * 1000);
      backupRates.push((b.n / b.ms) * 1000);
    }
    const [lo, hi] = [Math.min(...ratios), Math.max(...ratios)];
    console.log(
      `${String(size).padStart(7)}  ${median(listRates).toFixed(0).padStart(10)}  ${median(backupRates).toFixed(0).padStart(12)}  ${median(ratios).toFixed(2)}x (median of ${rounds}, range ${lo.toFixed(2)}-${hi.toFixed(2)})`,
    );
  }
} finally {
  await cp.stop();
  rmSync(dir, { recursive: true, force: true });
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startTemporal } from '../../servers/temporal.js';
import { toolPaths } from '../../servers/tools.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import { connect } from '../../workers/system.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { configMapsBackup, createConfigMaps } from './kube-apply.js';
import { kube, startWorkers, testConfig, testVault, uniqueName } from './harness.js';

const COUNT = 3000;

// DESIGN: "a crashed … Temporal server loses no task". This file runs its own dev server so that
// it can kill it (SIGKILL) in the middle of a backup and start it again on the same database.
describe('a backup survives the Temporal server being killed and restarted', () => {
  it('completes with every object after the server comes back', async () => {
    const k = await kube('a');
    const ns = uniqueName('tcrash');
    await k.request('POST', '/api/v1/namespaces', { body: { metadata: { name: ns } } });
    await createConfigMaps(k, ns, COUNT);
    const { vault, store } = testVault();

    const bin = toolPaths().temporal;
    const dir = join(inject('workDir'), uniqueName('temporal-crash'));
    let server = await startTemporal({ bin, dir, headless: true });
    // The control worker and cluster a's agent as workers/main.ts builds them, from a configuration
    // naming this server, with the vault configured.
    const config = testConfig({
      clusters: ['a'],
      vaults: [vault],
      temporal: { address: server.address, namespace: server.namespace, uiUrl: null },
    });
    const c = await connect(config);
    const { client } = c;
    const workers = await startWorkers(config, c);
    const runs = workers.map((w) => w.run());
    try {
      const name = uniqueName('bk');
      const spec = configMapsBackup(name, 'a', vault.name, ns);
      const handle = await client.workflow.start(BackupWorkflow, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: `backup/${name}`,
        args: [{ spec, options: { ...defaultTaskOptions, heartbeatTimeoutSeconds: 5 } }],
      });
      // Kill the server once the workflow is under way (its first activity has run).
      for (let i = 0; i < 500; i++) {
        const history = await handle.fetchHistory();
        if ((history.events ?? []).some((e) => e.activityTaskCompletedEventAttributes)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const before = await handle.describe();
      expect(before.status.name).toBe('RUNNING');
      await server.kill();
      await new Promise((r) => setTimeout(r, 2000));
      server = await startTemporal({ bin, dir, headless: true, port: server.port, uiPort: server.uiPort });

      const result = await handle.result();
      expect(result.phase).toBe('Completed');
      expect(result.progress.itemsBackedUp).toBe(COUNT + 2); // the ConfigMaps, kube-root-ca.crt, the Namespace
      expect((await store.getResourceList(name))?.['v1/ConfigMap']).toHaveLength(COUNT + 1);
    } finally {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(runs);
      await c.close();
      await server.stop();
    }
  });
});

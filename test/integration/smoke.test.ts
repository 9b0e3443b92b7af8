import { describe, expect, it } from 'vitest';
import { ClusterProbeWorkflow } from '../../workflows/cluster-probe.js';
import { createControlWorker } from '../../workers/control.js';
import { createClusterAgent } from '../../workers/cluster-agent.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { kube, logger, nativeConnection, recordHistory, temporalClient, uniqueName, withWorkers } from './harness.js';

describe('the chain: workflow on the dev server, activity on a per-cluster queue, real control plane', () => {
  it('lists the namespaces of cluster a, including one created just now', async () => {
    const k = await kube('a');
    const ns = uniqueName('smoke');
    await k.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });

    const { client, close } = await temporalClient();
    const connection = await nativeConnection();
    const namespace = client.options.namespace;
    const workers = [
      await createControlWorker({ connection, namespace, logger, activities: {} }),
      await createClusterAgent({ connection, namespace, cluster: 'a', kube: k, logger }),
    ];
    try {
      const info = await withWorkers(workers, async () => {
        const handle = await client.workflow.start(ClusterProbeWorkflow, {
          taskQueue: CONTROL_TASK_QUEUE,
          workflowId: `probe/${ns}`,
          args: [{ cluster: 'a' }],
        });
        const result = await handle.result();
        await recordHistory(handle, 'cluster-probe');
        return result;
      });
      expect(info.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system', ns]));
      expect(info.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);
    } finally {
      await connection.close();
      await close();
    }
  });
});

import { proxyActivities } from '@temporalio/workflow';
import type { ClusterActivities } from '../activities/cluster.js';
import { clusterTaskQueue } from '../workers/task-queues.js';

/** Reads a cluster's version, namespaces, nodes and zones through its agent. */
export async function ClusterProbeWorkflow(input: { cluster: string }) {
  const { clusterInfo } = proxyActivities<ClusterActivities>({
    taskQueue: clusterTaskQueue(input.cluster),
    startToCloseTimeout: '1 minute',
    // The agent may be absent: give up after a short while rather than wait for it forever.
    scheduleToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3 },
  });
  return clusterInfo();
}

import { proxyActivities } from '@temporalio/workflow';
import type { ClusterActivities } from '../activities/cluster.js';
import { clusterProbeActivityOptions } from '../temporal/activity-options.js';
import { clusterTaskQueue } from '../temporal/task-queues.js';

/** Reads a cluster's version, namespaces, nodes and zones through its agent. */
export async function ClusterProbeWorkflow(input: { cluster: string }) {
  const { clusterInfo } = proxyActivities<ClusterActivities>(
    clusterProbeActivityOptions(clusterTaskQueue(input.cluster)),
  );
  return clusterInfo();
}

import { type NativeConnection, Worker } from '@temporalio/worker';
import { createClusterActivities } from '../activities/cluster.js';
import type { KubeClient } from '../activities/kube/client.js';
import type { Logger } from '../lib/logger.js';
import { clusterTaskQueue } from '../temporal/task-queues.js';

export interface ClusterAgentOptions {
  connection: NativeConnection;
  namespace: string;
  cluster: string;
  kube: KubeClient;
  logger: Logger;
  vaultRoot?: string;
  maxConcurrentActivityTaskExecutions?: number;
}

/** A cluster agent: Kubernetes activities for one cluster, on its own task queue. */
export async function createClusterAgent(opts: ClusterAgentOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: clusterTaskQueue(opts.cluster),
    activities: createClusterActivities({
      cluster: opts.cluster,
      kube: opts.kube,
      logger: opts.logger,
      vaultRoot: opts.vaultRoot,
    }),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 10,
  });
}

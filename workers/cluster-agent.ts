import type { VaultAccess } from '../vault/open.js';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { createClusterActivities } from '../activities/cluster.js';
import type { KubeClient } from '../activities/kube/client.js';
import { ConcurrencyConfigSchema, type ConcurrencyConfig } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { clusterTaskQueue } from '../temporal/task-queues.js';
import { CLUSTER_ACTIVITY_KINDS, limitActivities, semaphoresFor } from './activity-limits.js';

export interface ClusterAgentOptions extends VaultAccess {
  connection: NativeConnection;
  namespace: string;
  cluster: string;
  kube: KubeClient;
  logger: Logger;
  /** Tasks of each kind whose cluster work runs at once in this agent (config `concurrency`); the schema's defaults when omitted. */
  concurrency?: ConcurrencyConfig;
  diskProvisioners?: readonly string[];
  minDiskSizeGiB?: number;
  /** Worker slots; at least agentActivitySlots(concurrency) so the per-kind limits, not the worker, decide. */
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * Worker slots of a cluster agent. An activity waiting for a slot of its kind holds a worker
 * slot, so there are room for every limited kind's limit, a queue of three times that, and the
 * unlimited activities (clusterInfo, waitResourcesReady).
 */
export function agentActivitySlots(c: ConcurrencyConfig): number {
  return 4 * (c.backup + c.restore) + 8;
}

/** The activities of a cluster agent, each kind limited by `concurrency` (see workers/activity-limits.ts). */
export function createLimitedClusterActivities(opts: Omit<ClusterAgentOptions, 'connection' | 'namespace'>) {
  const concurrency = opts.concurrency ?? ConcurrencyConfigSchema.parse({});
  return limitActivities(
    createClusterActivities({
      cluster: opts.cluster,
      kube: opts.kube,
      logger: opts.logger,
      vaultRoot: opts.vaultRoot,
      keysDir: opts.keysDir,
      allowedEndpoints: opts.allowedEndpoints,
      diskProvisioners: opts.diskProvisioners,
      minDiskSizeGiB: opts.minDiskSizeGiB,
    }),
    CLUSTER_ACTIVITY_KINDS,
    semaphoresFor(concurrency),
    { logger: opts.logger },
  );
}

/** A cluster agent: Kubernetes activities for one cluster, on its own task queue. */
export async function createClusterAgent(opts: ClusterAgentOptions): Promise<Worker> {
  const concurrency = opts.concurrency ?? ConcurrencyConfigSchema.parse({});
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: clusterTaskQueue(opts.cluster),
    activities: createLimitedClusterActivities({ ...opts, concurrency }),
    maxConcurrentActivityTaskExecutions: Math.max(
      opts.maxConcurrentActivityTaskExecutions ?? 0,
      agentActivitySlots(concurrency),
    ),
    // Heartbeats reach the server at most this far apart (the SDK's default is 80% of the heartbeat
    // timeout): an activity learns of a cancel only from a heartbeat's answer, so a cancelled restore
    // stops within about 2 s instead of 12.
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}

// Whether a cluster's agent is there: Temporal knows who polls the cluster's task queue.

import type { Client } from '@temporalio/client';
// @temporalio/proto is CommonJS whose exports Node's ESM loader cannot name: import the default.
import proto from '@temporalio/proto';
import { clusterTaskQueue } from '../temporal/task-queues.js';

const { temporal } = proto;

/** A poller seen this recently counts as a connected agent. */
const AGENT_SEEN_WITHIN_MS = 2 * 60_000;

/** Whether a cluster's agent is polling its task queue, from Temporal's task-queue description. */
export async function agentConnected(client: Client, cluster: string): Promise<boolean> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: clusterTaskQueue(cluster), kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const now = Date.now();
  return (res.pollers ?? []).some((p) => {
    const seen = p.lastAccessTime?.seconds ? Number(p.lastAccessTime.seconds) * 1000 : 0;
    return now - seen < AGENT_SEEN_WITHIN_MS;
  });
}

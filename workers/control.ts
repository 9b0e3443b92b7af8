import { type NativeConnection, Worker } from '@temporalio/worker';
import type { Logger } from '../lib/logger.js';
import { workflowsPath } from './bundle.js';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';

export interface ControlWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  logger: Logger;
  activities: object;
  /** Per-kind workflow concurrency: the FAQ's backup_max_worker_num and friends, summed. */
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The control worker: every workflow, and the activities that need no cluster (vault, bookkeeping). */
export async function createControlWorker(opts: ControlWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: CONTROL_TASK_QUEUE,
    workflowsPath,
    activities: opts.activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 20,
    bundlerOptions: { ignoreModules: [] },
  });
}

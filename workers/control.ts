import { bundleWorkflowCode, type NativeConnection, Worker } from '@temporalio/worker';
import { sdkLogger, type Logger } from '../lib/logger.js';
import { workflowsPath } from './bundle.js';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';

export interface ControlWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  logger: Logger;
  activities: object;
  maxConcurrentActivityTaskExecutions?: number;
}

/**
 * The workflow bundle. The bundler's report (webpack's asset list, the bundle size) goes to
 * `logger` at debug, so a start-up prints what a person needs and not the build; its errors stay errors.
 */
export async function bundleWorkflows(logger: Logger) {
  return bundleWorkflowCode({
    workflowsPath,
    ignoreModules: [],
    logger: sdkLogger(logger.child({ sdkComponent: 'bundler' }), (level) => (level === 'ERROR' ? 'ERROR' : 'DEBUG')),
  });
}

/** The control worker: every workflow, and the activities that need no cluster (vault, bookkeeping). */
export async function createControlWorker(opts: ControlWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: CONTROL_TASK_QUEUE,
    workflowBundle: await bundleWorkflows(opts.logger),
    activities: opts.activities,
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivityTaskExecutions ?? 20,
  });
}

// Typed activity mocks for workflow tests: each mock is a subset of the real activities' object,
// checked against their types, so a changed activity signature breaks the test at compile time.

import {
  bundleWorkflowCode,
  Worker,
  type NativeConnection,
  type WorkerOptions,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { AgentActivities } from '../../activities/agents.js';
import type { BackupClusterActivities } from '../../activities/backup/cluster.js';
import type { RestoreClusterActivities } from '../../activities/restore/cluster.js';
import type { VaultActivities } from '../../activities/vault/control.js';
import type { LifecycleActivities } from '../../activities/vault/lifecycle.js';
import { workflowsPath } from '../../workers/bundle.js';

/** The activities the control worker serves, any of them mocked. */
export type ControlMocks = Partial<VaultActivities & AgentActivities & LifecycleActivities>;
/** The activities a cluster agent serves, any of them mocked. */
export type ClusterMocks = Partial<BackupClusterActivities & RestoreClusterActivities>;

let bundle: Promise<WorkflowBundle> | undefined;

/** The workflow code, bundled once per test file (a bundle costs seconds). */
export function workflowBundle(): Promise<WorkflowBundle> {
  return (bundle ??= bundleWorkflowCode({ workflowsPath, logger: undefined }));
}

/** A worker on `taskQueue` running every workflow with `activities` as its only activities. */
export async function mockWorker(
  connection: NativeConnection,
  namespace: string,
  taskQueue: string,
  activities: ControlMocks | ClusterMocks,
  options: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    ...options,
  });
}

/** Runs workers while `fn` runs, then shuts them down. */
export async function withWorkers<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  const runs = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
  }
}

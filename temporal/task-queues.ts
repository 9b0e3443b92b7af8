// Task queue names. Kubernetes activities run on a queue per cluster, so each cluster's agent can
// run inside that cluster with its own service account; everything else runs on the control queue.
export const CONTROL_TASK_QUEUE = 'backup-center-control';

export function clusterTaskQueue(cluster: string): string {
  return `cluster-${cluster}`;
}

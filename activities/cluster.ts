import type { VaultAccess } from '../vault/open.js';
import type { Logger } from '../lib/logger.js';
import { createBackupClusterActivities } from './backup/cluster.js';
import { createRestoreClusterActivities } from './restore/cluster.js';
import { readClusterInfo } from './cluster-info.js';
import type { KubeClient } from './kube/client.js';

export interface ClusterDeps extends VaultAccess {
  cluster: string;
  kube: KubeClient;
  logger: Logger;
  /** Provisioners of disk volumes and their minimum size on restore (config `diskProvisioners`, `minDiskSizeGiB`). */
  diskProvisioners?: readonly string[];
  minDiskSizeGiB?: number;
}

/** Activities that run in a cluster's agent, on the `cluster-<name>` task queue. */
export function createClusterActivities(deps: ClusterDeps) {
  return {
    ...createBackupClusterActivities(deps),
    ...createRestoreClusterActivities(deps),
    async clusterInfo() {
      return readClusterInfo(deps.kube);
    },
  };
}

export type ClusterActivities = ReturnType<typeof createClusterActivities>;

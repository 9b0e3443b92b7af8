import type { ClusterInfo } from '../temporal/workflow-inputs.js';
import type { KubeClient } from './kube/client.js';

const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** What GET /v1/clusters shows of a cluster, read by its agent. */
export async function readClusterInfo(kube: KubeClient): Promise<ClusterInfo> {
  const [version, namespaces, nodes] = await Promise.all([
    kube.get<{ gitVersion: string }>('/version'),
    kube.get<{ items: Array<{ metadata: { name: string } }> }>('/api/v1/namespaces'),
    kube.get<{ items: Array<{ metadata: { labels?: Record<string, string> } }> }>('/api/v1/nodes'),
  ]);
  const zones = new Set<string>();
  for (const n of nodes.items) {
    const z = n.metadata.labels?.[ZONE_LABEL];
    if (z) zones.add(z);
  }
  return {
    kubernetesVersion: version.gitVersion,
    namespaces: namespaces.items.map((n) => n.metadata.name).sort(),
    nodes: nodes.items.length,
    zones: [...zones].sort(),
  };
}

import { KubeApiError, resourcePath, type KubeClient } from '../../activities/kube/client.js';
import type { BackupCreate } from '../../domain/backup.js';
import type { KubeObject } from '../../resources/types.js';

const plurals: Record<string, string> = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  Service: 'services',
  Ingress: 'ingresses',
  Widget: 'widgets',
  CustomResourceDefinition: 'customresourcedefinitions',
  PersistentVolume: 'persistentvolumes',
  PersistentVolumeClaim: 'persistentvolumeclaims',
  StorageClass: 'storageclasses',
  Pod: 'pods',
  Job: 'jobs',
  Gadget: 'gadgets',
  Gizmo: 'gizmos',
  Broken: 'brokens',
  ReplicaSet: 'replicasets',
  ClusterRole: 'clusterroles',
};

export function pathOf(obj: KubeObject, withName = false): string {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const resource = plurals[obj.kind];
  if (!resource) throw new Error(`test helper does not know the plural of ${obj.kind}`);
  return resourcePath(
    group ?? '',
    version ?? '',
    resource,
    obj.metadata.namespace,
    withName ? obj.metadata.name : undefined,
  );
}

/** Creates the objects in order; an object that already exists is left as it is. */
export async function applyAll(kube: KubeClient, objects: KubeObject[]): Promise<void> {
  for (const obj of objects) {
    try {
      await kube.request('POST', pathOf(obj), { body: obj });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
    if (obj.kind === 'CustomResourceDefinition') await waitEstablished(kube, obj.metadata.name);
  }
}

export async function waitEstablished(kube: KubeClient, crd: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const o = await kube.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`,
    );
    if (o.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
      // Discovery lags establishment by a moment.
      await new Promise((r) => setTimeout(r, 1000));
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`CRD ${crd} not Established`);
}

/** Creates `count` ConfigMaps with bounded concurrency. */
export async function createConfigMaps(kube: KubeClient, ns: string, count: number, concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await kube.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${String(i).padStart(5, '0')}`, labels: { bulk: 'yes' } },
          data: { index: String(i) },
        },
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** A resources-only backup of the ConfigMaps of one namespace, as the bulk tests and the benchmarks take it. */
export function configMapsBackup(name: string, cluster: string, vault: string, namespace: string): BackupCreate {
  return {
    name,
    cluster,
    vault,
    backupType: 'AppBackup',
    ttl: '720h0m0s',
    includedNamespaces: [namespace],
    includedResources: ['configmaps'],
  };
}

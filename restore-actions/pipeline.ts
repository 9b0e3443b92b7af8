// prepareForRestore: turns an object from the backup into the object to create in the target
// cluster. Velero's layering: generic steps, then small per-kind actions looked up in a registry
// by `resource.group`, then the user's image mappings and resource modifiers.
//
//   1. never-restored types and the backup center's own objects  -> skip
//   2. ownership: owned by a restored controller -> skip; other ownerReferences dropped
//   3. cleanup of server-assigned metadata and status
//   4. namespaceMapping
//   5. kind actions (services, pods, jobs, PVCs, PVs, StatefulSets)
//   6. imageRegistryMapping / imageMapping
//   7. resource modifiers (they see the mapped namespace, as in Velero)
//   8. restore labels

import { type KubeObject, groupResource as toGroupResource, parseApiVersion } from '../resources/types.js';
import { cleanup } from './cleanup.js';
import { applyImageMappings } from './image-mapping.js';
import { jobAction } from './job.js';
import { applyNamespaceMapping } from './namespace-mapping.js';
import { checkOwnership } from './owned.js';
import { podAction } from './pod.js';
import { neverRestoreReason } from './priorities.js';
import { pvAction } from './pv.js';
import { pvcAction } from './pvc.js';
import { applyResourceModifiers } from './resource-modifiers.js';
import { serviceAction } from './service.js';
import { statefulSetAction } from './statefulset.js';
import type { PrepareResult, RestoreAction, RestoreContext } from './types.js';
import { clone, describe } from './util.js';

/** The per-kind actions, by `resource.group`, run in order. */
export const ACTIONS: Readonly<Record<string, readonly RestoreAction[]>> = {
  services: [serviceAction],
  pods: [podAction],
  'jobs.batch': [jobAction],
  persistentvolumeclaims: [pvcAction],
  persistentvolumes: [pvAction],
  'statefulsets.apps': [statefulSetAction],
};

/** Plural resource of built-in kinds, to name an object's group-resource when the caller does not. */
const BUILT_IN_RESOURCES: Record<string, string> = {
  '/Pod': 'pods',
  '/Service': 'services',
  '/ConfigMap': 'configmaps',
  '/Secret': 'secrets',
  '/ServiceAccount': 'serviceaccounts',
  '/PersistentVolumeClaim': 'persistentvolumeclaims',
  '/PersistentVolume': 'persistentvolumes',
  '/Namespace': 'namespaces',
  '/Endpoints': 'endpoints',
  '/LimitRange': 'limitranges',
  '/ResourceQuota': 'resourcequotas',
  '/ReplicationController': 'replicationcontrollers',
  '/Node': 'nodes',
  '/Event': 'events',
  'events.k8s.io/Event': 'events',
  'apps/Deployment': 'deployments',
  'apps/StatefulSet': 'statefulsets',
  'apps/DaemonSet': 'daemonsets',
  'apps/ReplicaSet': 'replicasets',
  'batch/Job': 'jobs',
  'batch/CronJob': 'cronjobs',
  'networking.k8s.io/Ingress': 'ingresses',
  'networking.k8s.io/IngressClass': 'ingressclasses',
  'networking.k8s.io/NetworkPolicy': 'networkpolicies',
  'rbac.authorization.k8s.io/Role': 'roles',
  'rbac.authorization.k8s.io/RoleBinding': 'rolebindings',
  'rbac.authorization.k8s.io/ClusterRole': 'clusterroles',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'clusterrolebindings',
  'storage.k8s.io/StorageClass': 'storageclasses',
  'scheduling.k8s.io/PriorityClass': 'priorityclasses',
  'policy/PodDisruptionBudget': 'poddisruptionbudgets',
  'autoscaling/HorizontalPodAutoscaler': 'horizontalpodautoscalers',
  'apiextensions.k8s.io/CustomResourceDefinition': 'customresourcedefinitions',
  'snapshot.storage.k8s.io/VolumeSnapshot': 'volumesnapshots',
  'snapshot.storage.k8s.io/VolumeSnapshotContent': 'volumesnapshotcontents',
  'snapshot.storage.k8s.io/VolumeSnapshotClass': 'volumesnapshotclasses',
};

/** `resource.group` of a built-in kind, or undefined (custom resources need discovery). */
export function builtInGroupResource(obj: KubeObject): string | undefined {
  const { group } = parseApiVersion(obj.apiVersion);
  const resource = BUILT_IN_RESOURCES[`${group}/${obj.kind}`];
  return resource ? toGroupResource(group, resource) : undefined;
}

/**
 * Prepares one object from the backup for creation. `groupResource` is the archive directory's
 * `resource.group`; it may be omitted for built-in kinds. Never modifies `obj`.
 */
export function prepareForRestore(obj: KubeObject, ctx: RestoreContext, groupResource?: string): PrepareResult {
  const gr = groupResource ?? builtInGroupResource(obj);
  const result: PrepareResult = { object: obj, warnings: [], changedImages: [], modifiersApplied: 0 };
  if (gr === undefined)
    return {
      ...result,
      error: `${describe(obj)}: unknown resource type of ${obj.apiVersion} ${obj.kind}; pass its group-resource`,
    };

  const never = neverRestoreReason(gr, obj);
  if (never) return { ...result, skip: true, reason: never };

  const original = obj;
  let object = clone(obj);

  const owned = checkOwnership(object, ctx.restoredUids ?? [], gr);
  if (owned.skip) return { ...result, skip: true, reason: owned.reason };

  cleanup(object);
  applyNamespaceMapping(object, ctx.namespaceMapping);

  for (const action of ACTIONS[gr] ?? []) {
    const out = action({ object, original, groupResource: gr, ctx });
    object = out.object;
    result.warnings.push(...(out.warnings ?? []));
    if (out.error) return { ...result, object, error: out.error };
    if (out.skip) return { ...result, object, skip: true, reason: out.reason ?? 'skipped by a restore action' };
  }

  result.changedImages = applyImageMappings(object, ctx);

  if (ctx.resourceModifiers) {
    const mod = applyResourceModifiers(object, gr, ctx.resourceModifiers);
    object = mod.object;
    result.modifiersApplied = mod.applied.length;
    if (mod.errors.length > 0) return { ...result, object, error: `${describe(object)}: ${mod.errors.join('; ')}` };
  }

  const labels = ctx.options?.restoreLabels;
  if (labels && Object.keys(labels).length > 0)
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...labels };

  result.object = object;
  return result;
}

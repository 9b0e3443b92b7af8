// The restore order and the never-restore list, as data, in one place. Mirrors Velero's
// defaultRestorePriorities (pkg/cmd/server/config) and nonRestorableResources
// (pkg/controller/restore_controller.go), with RBAC added after PVCs and every entry written as
// a full `resource.group` so a CRD-defined `services.serving.knative.dev` is not taken for
// core `services`.

import type { KubeObject } from '../resources/types.js';

export interface RestorePriority {
  /** `resource.group`, exactly as groupResource() writes it. */
  groupResource: string;
  /** A condition every object of this type must reach before later types are restored. */
  waitFor?: 'Established';
  why: string;
}

/** Restored first, in this order. */
export const HIGH_PRIORITIES: readonly RestorePriority[] = [
  {
    groupResource: 'customresourcedefinitions.apiextensions.k8s.io',
    waitFor: 'Established',
    why: 'custom resources need their definition served',
  },
  { groupResource: 'namespaces', why: 'every namespaced object needs its namespace' },
  { groupResource: 'storageclasses.storage.k8s.io', why: 'PVs and PVCs name their class' },
  { groupResource: 'volumesnapshotclasses.snapshot.storage.k8s.io', why: 'volume snapshot contents name their class' },
  {
    groupResource: 'volumesnapshotcontents.snapshot.storage.k8s.io',
    why: 'they hold the handle of the snapshot in the storage',
  },
  { groupResource: 'volumesnapshots.snapshot.storage.k8s.io', why: 'PVCs are provisioned from them as data source' },
  { groupResource: 'persistentvolumes', why: 'PVCs bind to them' },
  { groupResource: 'persistentvolumeclaims', why: 'pods and controllers mount them' },
  { groupResource: 'clusterroles.rbac.authorization.k8s.io', why: 'bindings reference them' },
  {
    groupResource: 'clusterrolebindings.rbac.authorization.k8s.io',
    why: 'workloads need their permissions when they start',
  },
  { groupResource: 'roles.rbac.authorization.k8s.io', why: 'bindings reference them' },
  { groupResource: 'rolebindings.rbac.authorization.k8s.io', why: 'workloads need their permissions when they start' },
  { groupResource: 'serviceaccounts', why: 'before secrets, so service account token secrets are filled in' },
  { groupResource: 'secrets', why: 'pods mount them' },
  { groupResource: 'configmaps', why: 'pods mount them' },
  { groupResource: 'limitranges', why: 'pods are admitted against them' },
  { groupResource: 'priorityclasses.scheduling.k8s.io', why: 'pods name them' },
  { groupResource: 'pods', why: 'before controllers, which adopt them' },
  { groupResource: 'replicasets.apps', why: 'before deployments, which adopt them' },
  { groupResource: 'clusterclasses.cluster.x-k8s.io', why: 'before Cluster API clusters' },
  { groupResource: 'endpoints', why: 'before services, so no new endpoints are created' },
  { groupResource: 'services', why: 'before the rest, which may expect them' },
];

/** Restored last, in this order (Velero's low priorities). */
export const LOW_PRIORITIES: readonly string[] = [
  'clusterbootstraps.run.tanzu.vmware.com',
  'clusters.cluster.x-k8s.io',
  'clusterresourcesets.addons.cluster.x-k8s.io',
  'apps.kappctrl.k14s.io',
  'packageinstalls.packaging.carvel.dev',
];

/** Never restored, whatever the restore spec says. */
export const NEVER_RESTORED: readonly string[] = [
  'nodes',
  'events',
  'events.events.k8s.io',
  // Velero's own objects: backups and restores sync from the vault; repositories are recreated.
  'backups.velero.io',
  'restores.velero.io',
  'resticrepositories.velero.io',
  'backuprepositories.velero.io',
  // Node-bound records of the source cluster.
  'csinodes.storage.k8s.io',
  'volumeattachments.storage.k8s.io',
];

/** Objects carrying this label belong to the backup center itself and are never restored. */
export const OWN_OBJECT_LABEL = { key: 'app.kubernetes.io/part-of', value: 'backup-center' } as const;

const HIGH_RANK = new Map(HIGH_PRIORITIES.map((p, i) => [p.groupResource, i]));
const LOW_RANK = new Map(LOW_PRIORITIES.map((gr, i) => [gr, i]));

/** Why the object (or every object of the type, without `obj`) is never restored; undefined if it may be. */
export function neverRestoreReason(groupResource: string, obj?: KubeObject): string | undefined {
  if (NEVER_RESTORED.includes(groupResource)) return `${groupResource} are never restored`;
  if (obj?.metadata.labels?.[OWN_OBJECT_LABEL.key] === OWN_OBJECT_LABEL.value)
    return `belongs to the backup center itself (${OWN_OBJECT_LABEL.key}=${OWN_OBJECT_LABEL.value})`;
  return undefined;
}

/** The condition to wait for after restoring objects of this type, if any. */
export function waitConditionFor(groupResource: string): 'Established' | undefined {
  return HIGH_PRIORITIES.find((p) => p.groupResource === groupResource)?.waitFor;
}

/** Compares two group-resources by restore order: high priorities, then the rest alphabetically, then low priorities. */
export function compareRestoreOrder(a: string, b: string): number {
  const tier = (gr: string): [number, number] => {
    const h = HIGH_RANK.get(gr);
    if (h !== undefined) return [0, h];
    const l = LOW_RANK.get(gr);
    if (l !== undefined) return [2, l];
    return [1, 0];
  };
  const [ta, ra] = tier(a);
  const [tb, rb] = tier(b);
  if (ta !== tb) return ta - tb;
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The group-resources in restore order, never-restored ones removed, duplicates dropped. */
export function sortForRestore(groupResources: readonly string[]): string[] {
  return [...new Set(groupResources)].filter((gr) => !NEVER_RESTORED.includes(gr)).sort(compareRestoreOrder);
}

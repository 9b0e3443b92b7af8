// Types at the boundary between the Kubernetes API, the vault and the workflows.

/** A Kubernetes object as JSON; only the fields every object has are typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    deletionTimestamp?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** One served resource type, as discovery reports it. */
export interface ApiResourceType {
  group: string; // '' for the core group
  resource: string; // plural, e.g. 'deployments'
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  singularName?: string;
  /** Every version the server serves for this group, preferred first. */
  versions: string[];
  preferredVersion: string;
  verbs: string[];
}

/** An item of a backup or restore, as `/resources` and `/items` serve it. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name: string;
}

/** `resource.group` as Velero names resource directories (`deployments.apps`, `configmaps`). */
export function groupResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** Splits an object's `apiVersion` (`apps/v1`, `v1`) into group and version; the core group is ''. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Splits `resource.group` (`deployments.apps`, `configmaps`) back into its parts. */
export function splitGroupResource(gr: string): { group: string; resource: string } {
  const dot = gr.indexOf('.');
  if (dot < 0) return { group: '', resource: gr };
  return { group: gr.slice(dot + 1), resource: gr.slice(0, dot) };
}

/**
 * API groups served by Kubernetes itself (kube-apiserver and its built-in aggregated servers).
 * Any other group comes from a CustomResourceDefinition or an extension API server. Note that
 * some `*.k8s.io` groups are CRDs (snapshot.storage.k8s.io, gateway.networking.k8s.io), so the
 * suffix alone does not decide.
 */
export const BUILT_IN_API_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'extensions',
  'flowcontrol.apiserver.k8s.io',
  'internal.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
  'storagemigration.k8s.io',
]);

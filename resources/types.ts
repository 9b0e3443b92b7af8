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

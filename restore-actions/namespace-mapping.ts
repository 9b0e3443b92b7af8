// namespaceMapping: `{"<backup namespace>": "<target namespace>"}` applied everywhere an object
// names a namespace that moves with it.

import { type KubeObject, parseApiVersion } from '../resources/types.js';
import { getObject, isObject } from './util.js';

export function mapNamespace(ns: string, mapping: Readonly<Record<string, string>> | undefined): string {
  const target = mapping && Object.prototype.hasOwnProperty.call(mapping, ns) ? mapping[ns] : undefined;
  return target ?? ns;
}

/**
 * Rewrites in place: metadata.namespace; a Namespace's own name (and its
 * `kubernetes.io/metadata.name` label); the namespaces of RoleBinding / ClusterRoleBinding
 * subjects; a PV's spec.claimRef.namespace. Returns the object.
 */
export function applyNamespaceMapping(
  obj: KubeObject,
  mapping: Readonly<Record<string, string>> | undefined,
): KubeObject {
  if (!mapping || Object.keys(mapping).length === 0) return obj;
  const { group } = parseApiVersion(obj.apiVersion);

  if (obj.metadata.namespace) obj.metadata.namespace = mapNamespace(obj.metadata.namespace, mapping);

  if (group === '' && obj.kind === 'Namespace') {
    const target = mapNamespace(obj.metadata.name, mapping);
    if (target !== obj.metadata.name) {
      obj.metadata.name = target;
      const labels = obj.metadata.labels;
      if (labels && 'kubernetes.io/metadata.name' in labels) labels['kubernetes.io/metadata.name'] = target;
    }
  }

  if (group === 'rbac.authorization.k8s.io' && (obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding')) {
    const subjects = Array.isArray(obj.subjects) ? (obj.subjects as unknown[]) : [];
    for (const s of subjects) {
      if (isObject(s) && typeof s.namespace === 'string' && s.namespace !== '')
        s.namespace = mapNamespace(s.namespace, mapping);
    }
  }

  if (group === '' && obj.kind === 'PersistentVolume') {
    const claimRef = getObject(obj, 'spec', 'claimRef');
    if (claimRef && typeof claimRef.namespace === 'string')
      claimRef.namespace = mapNamespace(claimRef.namespace, mapping);
  }
  return obj;
}

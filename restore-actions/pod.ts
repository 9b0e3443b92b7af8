// Bare Pods (Pods with a restored controller are left to it by owned.ts). Velero's PodAction plus
// what the API server refuses on create:
//  - spec.nodeName: the node belongs to the source cluster; the scheduler places the pod;
//  - spec.priority / spec.preemptionPolicy: computed by the Priority admission plugin from
//    priorityClassName (or the global default class), which rejects a pod whose value differs;
//  - the service-account token volume (`kube-api-access-*`, or the legacy `<sa>-token-*` secret
//    volume) and its mounts: the ServiceAccount admission plugin injects a fresh one;
//  - spec.ephemeralContainers: cannot be set on create;
//  - mirror pods (static pods of a node) and finished pods (Succeeded / Failed) are not restored.

import type { ActionResult, RestoreAction } from './types.js';
import { describe, getArray, getObject, getString, isObject } from './util.js';

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const SERVICE_ACCOUNT_TOKEN_VOLUME_PREFIX = 'kube-api-access-';

/** Removes token volumes and their mounts from a pod spec in place; returns the names removed. */
export function dropServiceAccountTokenVolumes(podSpec: Record<string, unknown>): string[] {
  const sa =
    typeof podSpec.serviceAccountName === 'string' && podSpec.serviceAccountName !== ''
      ? podSpec.serviceAccountName
      : 'default';
  const legacyPrefix = `${sa}-token-`;
  const isToken = (name: unknown) =>
    typeof name === 'string' && (name.startsWith(SERVICE_ACCOUNT_TOKEN_VOLUME_PREFIX) || name.startsWith(legacyPrefix));
  const volumes = getArray(podSpec, 'volumes');
  const removed = (volumes ?? [])
    .filter((v) => isObject(v) && isToken(v.name))
    .map((v) => String((v as { name: string }).name));
  if (volumes) {
    const kept = volumes.filter((v) => !(isObject(v) && isToken(v.name)));
    if (kept.length > 0) podSpec.volumes = kept;
    else delete podSpec.volumes;
  }
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of getArray(podSpec, field) ?? []) {
      const mounts = isObject(c) ? getArray(c, 'volumeMounts') : undefined;
      if (!isObject(c) || !mounts) continue;
      const kept = mounts.filter((m) => !(isObject(m) && isToken(m.name)));
      if (kept.length > 0) c.volumeMounts = kept;
      else delete c.volumeMounts;
    }
  }
  return removed;
}

export const podAction: RestoreAction = ({ object, original }): ActionResult => {
  if (object.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined)
    return { object, skip: true, reason: 'a mirror pod: the kubelet of its node creates it from a static manifest' };
  const phase = getString(original, 'status', 'phase');
  if (phase === 'Succeeded' || phase === 'Failed')
    return { object, skip: true, reason: `the pod has finished (phase ${phase})` };

  const spec = getObject(object, 'spec');
  if (!spec) return { object };
  const warnings: string[] = [];
  delete spec.nodeName;
  delete spec.priority;
  delete spec.preemptionPolicy;
  dropServiceAccountTokenVolumes(spec);
  const ephemeral = getArray(spec, 'ephemeralContainers');
  if (ephemeral && ephemeral.length > 0) {
    warnings.push(
      `${describe(object)}: ${ephemeral.length} ephemeral container(s) dropped (they cannot be set when a pod is created)`,
    );
  }
  delete spec.ephemeralContainers;
  return { object, warnings };
};

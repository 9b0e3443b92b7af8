// Services (FAQ "default changes", Change 2; Velero's ServiceAction):
//  - clusterIP / clusterIPs are cleared so the target cluster allocates new ones, except for
//    headless Services (`None`), whose clusterIP is what makes them headless;
//  - NodePorts are kept by default (FAQ: "The ports of NodePort Services are retained by default");
//    `preserveNodePorts: false` drops the auto-assigned ones as Velero does, keeping those the user
//    wrote (found in the last-applied-configuration annotation or in managedFields);
//  - a LoadBalancer with externalTrafficPolicy Local gets a new healthCheckNodePort unless
//    `preserveNodePorts: true` or the user wrote the port.

import type { KubeObject } from '../resources/types.js';
import type { ActionResult, RestoreAction } from './types.js';
import { describe, getArray, getObject, isObject } from './util.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const EXISTING_SLB_ANNOTATION = 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id';

interface ExplicitPorts {
  /** nodePorts written by the user, by port name; unnamed ones by value. */
  named: Set<string>;
  unnamed: Set<number>;
  /** Port keys `k:{"port":80,"protocol":"TCP"}` whose nodePort a manager owns. */
  managedKeys: Set<string>;
  healthCheckNodePort: boolean;
  /** Where the knowledge came from; nothing known means every port counts as auto-assigned. */
  source: 'last-applied' | 'managedFields' | 'none';
}

function lastApplied(original: KubeObject): Record<string, unknown> | undefined {
  const raw = original.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function explicitPorts(original: KubeObject): ExplicitPorts {
  const out: ExplicitPorts = {
    named: new Set(),
    unnamed: new Set(),
    managedKeys: new Set(),
    healthCheckNodePort: false,
    source: 'none',
  };
  const applied = lastApplied(original);
  if (applied) {
    out.source = 'last-applied';
    for (const p of getArray(applied, 'spec', 'ports') ?? []) {
      if (!isObject(p)) continue;
      const np = typeof p.nodePort === 'string' ? Number(p.nodePort) : p.nodePort;
      if (typeof np !== 'number' || !(np > 0)) continue;
      if (typeof p.name === 'string' && p.name !== '') out.named.add(p.name);
      else out.unnamed.add(np);
    }
    const hc = getObject(applied, 'spec')?.healthCheckNodePort;
    out.healthCheckNodePort = typeof hc === 'number' ? hc !== 0 : typeof hc === 'string' && Number(hc) !== 0;
    if (out.healthCheckNodePort) return out;
  }
  const managed = Array.isArray(original.metadata.managedFields) ? (original.metadata.managedFields as unknown[]) : [];
  for (const entry of managed) {
    const spec = getObject(entry, 'fieldsV1', 'f:spec');
    if (!spec) continue;
    if (!applied) out.source = 'managedFields';
    if ('f:healthCheckNodePort' in spec) out.healthCheckNodePort = true;
    const ports = getObject(spec, 'f:ports');
    for (const [key, fields] of Object.entries(ports ?? {})) {
      if (isObject(fields) && 'f:nodePort' in fields) out.managedKeys.add(key);
    }
  }
  return out;
}

function portKey(port: Record<string, unknown>): string {
  return `k:{"port":${String(port.port)},"protocol":"${typeof port.protocol === 'string' ? port.protocol : 'TCP'}"}`;
}

function nodePortIsExplicit(port: Record<string, unknown>, e: ExplicitPorts): boolean {
  if (e.source === 'last-applied') {
    if (typeof port.name === 'string' && port.name !== '') return e.named.has(port.name);
    return typeof port.nodePort === 'number' && e.unnamed.has(port.nodePort);
  }
  if (e.source === 'managedFields') return e.managedKeys.has(portKey(port));
  return false;
}

export const serviceAction: RestoreAction = ({ object, original, ctx }): ActionResult => {
  const spec = getObject(object, 'spec');
  if (!spec) return { object };
  const warnings: string[] = [];

  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }

  const type = typeof spec.type === 'string' ? spec.type : 'ClusterIP';
  const explicit = ctx.preserveNodePorts === true ? undefined : explicitPorts(original);

  if (ctx.preserveNodePorts === false && type !== 'ExternalName' && explicit) {
    for (const port of getArray(spec, 'ports') ?? []) {
      if (isObject(port) && 'nodePort' in port && !nodePortIsExplicit(port, explicit)) delete port.nodePort;
    }
  }

  if (
    explicit &&
    type === 'LoadBalancer' &&
    spec.externalTrafficPolicy === 'Local' &&
    spec.healthCheckNodePort !== undefined
  ) {
    if (!explicit.healthCheckNodePort) delete spec.healthCheckNodePort;
  }

  const slb = object.metadata.annotations?.[EXISTING_SLB_ANNOTATION];
  if (type === 'LoadBalancer' && slb) {
    warnings.push(
      `${describe(object)} uses the existing SLB instance ${slb}: its listeners are not configured by the restore; ` +
        'configure them in the SLB console, and switch traffic when ready',
    );
  }
  return { object, warnings };
};

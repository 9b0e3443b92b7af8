// Services (FAQ "default changes", Change 2; Velero's ServiceAction):
//  - clusterIP / clusterIPs are cleared so the target cluster allocates new ones, except for
//    headless Services (`None`), whose clusterIP is what makes them headless;
//  - NodePorts are kept by default (FAQ: "The ports of NodePort Services are retained by default");
//    `preserveNodePorts: false` drops the auto-assigned ones as Velero does, keeping those the user
//    wrote (found in the last-applied-configuration annotation or in managedFields);
//  - a LoadBalancer with externalTrafficPolicy Local gets a new healthCheckNodePort unless
//    `preserveNodePorts: true` or the user wrote the port;
//  - a kept node port the target cluster already holds (a copy into the same cluster) cannot be
//    kept: the restore creates the Service without it and warns naming the port, unless
//    `preserveNodePorts: true`, which makes the clash an item error naming the port (helpers below).

import type { KubeObject } from '../resources/types.js';
import type { ActionResult, RestoreAction } from './types.js';
import { clone, describe, getArray, getObject, isObject } from './util.js';

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

// ---- Node ports meeting the target cluster (used by the restore's create path) ----
// A node port is cluster-wide: a copy into the same cluster, or a port another Service holds in
// the target, cannot keep it. The API server refuses such a create before it looks at the name
// (422 for spec.ports[].nodePort, 500 for healthCheckNodePort), so these helpers let the restore
// tell a clash apart, retry without the taken port(s) and say which ports changed.

/** One node port field of a Service: `spec.ports[i].nodePort` (by port and protocol) or `spec.healthCheckNodePort`. */
export interface NodePortChange {
  field: string;
  from: number;
  to: number | undefined;
}

const CLASH_PATTERNS = [
  /nodePort: Invalid value: (\d+): provided port is already allocated/g,
  /HealthCheck NodePort (\d+): provided port is already allocated/g,
];

/** The node ports an API server error says are taken ("provided port is already allocated"); empty for any other error. */
export function clashingNodePorts(message: string): number[] {
  const out = new Set<number>();
  for (const re of CLASH_PATTERNS) for (const m of message.matchAll(re)) out.add(Number(m[1]));
  return [...out];
}

/** A copy of the Service without the given node ports (ports and healthCheckNodePort), so the API server assigns new ones. */
export function withoutNodePorts(object: KubeObject, ports: readonly number[]): KubeObject {
  const out = clone(object);
  const spec = getObject(out, 'spec');
  if (!spec) return out;
  for (const port of getArray(spec, 'ports') ?? []) {
    if (isObject(port) && typeof port.nodePort === 'number' && ports.includes(port.nodePort)) delete port.nodePort;
  }
  if (typeof spec.healthCheckNodePort === 'number' && ports.includes(spec.healthCheckNodePort)) {
    delete spec.healthCheckNodePort;
  }
  return out;
}

function portName(port: Record<string, unknown>): string {
  return `${String(port.port)}/${typeof port.protocol === 'string' ? port.protocol : 'TCP'}`;
}

function nodePortsOf(service: KubeObject): Map<string, number> {
  const out = new Map<string, number>();
  const spec = getObject(service, 'spec');
  for (const port of getArray(spec, 'ports') ?? []) {
    if (isObject(port) && typeof port.nodePort === 'number') out.set(`port ${portName(port)}`, port.nodePort);
  }
  if (typeof spec?.healthCheckNodePort === 'number') out.set('healthCheckNodePort', spec.healthCheckNodePort);
  return out;
}

/** The node ports the restore asked for that the live Service does not have (the API server gave others). */
export function reassignedNodePorts(desired: KubeObject, live: KubeObject): NodePortChange[] {
  const have = nodePortsOf(live);
  const out: NodePortChange[] = [];
  for (const [field, from] of nodePortsOf(desired)) {
    const to = have.get(field);
    if (to !== from) out.push({ field, from, to });
  }
  return out;
}

/** The item warning for ports the target cluster could not give, naming each. */
export function reassignedNodePortsWarning(changes: readonly NodePortChange[]): string {
  const list = changes
    .map((c) => `${c.field} node port ${c.from} -> ${c.to === undefined ? 'a new one' : c.to}`)
    .join(', ');
  return (
    `node port${changes.length > 1 ? 's' : ''} already allocated in the target cluster, new ones assigned: ${list} ` +
    '(set preserveNodePorts: true to fail instead)'
  );
}

/** The item error when preserveNodePorts: true was asked and the target cluster holds the port(s). */
export function nodePortsTakenError(ports: readonly number[]): string {
  return (
    `node port${ports.length > 1 ? 's' : ''} ${ports.join(', ')} already allocated in the target cluster; ` +
    'not restored because preserveNodePorts is true'
  );
}

/**
 * The Service the restore wants, fitted to the one already in the cluster, to compare with it and
 * to update it: the live clusterIP(s) are kept (they cannot change), and unless preserveNodePorts
 * is true the live node ports too (a port the target assigned is as good as the backup's).
 */
export function serviceForExisting(desired: KubeObject, live: KubeObject, preserveNodePorts?: boolean): KubeObject {
  const out = clone(desired);
  const spec = getObject(out, 'spec');
  const liveSpec = getObject(live, 'spec');
  if (!spec || !liveSpec) return out;
  for (const field of ['clusterIP', 'clusterIPs'] as const) {
    if (liveSpec[field] !== undefined) spec[field] = clone(liveSpec[field]);
  }
  if (preserveNodePorts === true) return out;
  const liveNodePorts = new Map<string, number>();
  for (const port of getArray(liveSpec, 'ports') ?? []) {
    if (isObject(port) && typeof port.nodePort === 'number') liveNodePorts.set(portName(port), port.nodePort);
  }
  for (const port of getArray(spec, 'ports') ?? []) {
    if (!isObject(port)) continue;
    const np = liveNodePorts.get(portName(port));
    if (np !== undefined) port.nodePort = np;
  }
  if (typeof liveSpec.healthCheckNodePort === 'number' && spec.healthCheckNodePort !== undefined) {
    spec.healthCheckNodePort = liveSpec.healthCheckNodePort;
  }
  return out;
}

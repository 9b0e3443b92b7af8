import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resources/types.js';
import {
  clashingNodePorts,
  LAST_APPLIED_ANNOTATION,
  nodePortsTakenError,
  reassignedNodePorts,
  reassignedNodePortsWarning,
  serviceAction,
  serviceForExisting,
  withoutNodePorts,
} from './service.js';
import { service } from './testdata/objects.js';
import { run } from './testdata/run.js';

type Spec = {
  clusterIP?: string;
  clusterIPs?: string[];
  healthCheckNodePort?: number;
  ports?: Array<{ name?: string; port: number; nodePort?: number }>;
};
const spec = (o: KubeObject) => o.spec as Spec;

describe('Service restore', () => {
  it('ClusterIP: the target cluster allocates a new clusterIP', () => {
    const r = run(serviceAction, service('ClusterIP'));
    expect(spec(r.object).clusterIP).toBeUndefined();
    expect(spec(r.object).clusterIPs).toBeUndefined();
    expect(spec(r.object).ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  });

  it('headless: clusterIP None is kept, it is what makes the Service headless', () => {
    const r = run(serviceAction, service('Headless'));
    expect(spec(r.object).clusterIP).toBe('None');
    expect(spec(r.object).clusterIPs).toEqual(['None']);
  });

  it('NodePort: the node port is kept by default (FAQ)', () => {
    const r = run(serviceAction, service('NodePort'));
    expect(spec(r.object).ports?.[0]?.nodePort).toBe(30080);
    expect(spec(r.object).clusterIP).toBeUndefined();
  });

  it('NodePort with preserveNodePorts false: auto-assigned ports are dropped, ports the user wrote are kept (Velero)', () => {
    expect(
      spec(run(serviceAction, service('NodePort'), { preserveNodePorts: false }).object).ports?.[0]?.nodePort,
    ).toBeUndefined();
    const written = service('NodePort');
    written.metadata.annotations = {
      [LAST_APPLIED_ANNOTATION]: JSON.stringify({ spec: { ports: [{ name: 'http', port: 80, nodePort: 30080 }] } }),
    };
    expect(spec(run(serviceAction, written, { preserveNodePorts: false }).object).ports?.[0]?.nodePort).toBe(30080);
    const managed = service('NodePort');
    managed.metadata.managedFields = [
      {
        manager: 'kubectl',
        fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:nodePort': {} } } } },
      },
    ];
    expect(spec(run(serviceAction, managed, { preserveNodePorts: false }).object).ports?.[0]?.nodePort).toBe(30080);
  });

  it('LoadBalancer, externalTrafficPolicy Local: healthCheckNodePort is reallocated, node ports kept', () => {
    const r = run(serviceAction, service('LoadBalancer'));
    expect(spec(r.object).healthCheckNodePort).toBeUndefined();
    expect(spec(r.object).ports?.[0]?.nodePort).toBe(31080);
  });

  it('LoadBalancer with preserveNodePorts: true keeps healthCheckNodePort', () => {
    expect(
      spec(run(serviceAction, service('LoadBalancer'), { preserveNodePorts: true }).object).healthCheckNodePort,
    ).toBe(32456);
  });

  it('LoadBalancer: a healthCheckNodePort the user wrote is kept (managedFields)', () => {
    const lb = service('LoadBalancer');
    lb.metadata.managedFields = [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:healthCheckNodePort': {} } } }];
    expect(spec(run(serviceAction, lb).object).healthCheckNodePort).toBe(32456);
  });

  it('LoadBalancer on an existing SLB: warns that listeners must be configured', () => {
    const r = run(serviceAction, service('LoadBalancer'));
    expect(r.warnings).toEqual([
      expect.stringContaining('Service shop/web-loadbalancer uses the existing SLB instance lb-2zeabcdef'),
    ]);
  });

  it('ExternalName is left as it is', () => {
    const r = run(serviceAction, service('ExternalName'), { preserveNodePorts: false });
    expect(r.object.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com' });
  });
});

describe('Service node ports meeting the target cluster', () => {
  // The API server's words (k8s.io/kubernetes pkg/registry/core/service/storage/alloc.go).
  const nodePortClash =
    'Service "web-nodeport" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated';
  const healthCheckClash =
    'Internal error occurred: failed to allocate requested HealthCheck NodePort 32456: provided port is already allocated';

  it('recognises a taken nodePort (422) and a taken healthCheckNodePort (500), and nothing else', () => {
    expect(clashingNodePorts(nodePortClash)).toEqual([30080]);
    expect(clashingNodePorts(healthCheckClash)).toEqual([32456]);
    expect(clashingNodePorts('services "web-nodeport" already exists')).toEqual([]);
    expect(
      clashingNodePorts('spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range'),
    ).toEqual([]);
  });

  it('drops only the taken ports, so the API server assigns new ones', () => {
    const lb = service('LoadBalancer');
    spec(lb).ports!.push({ name: 'https', port: 443, nodePort: 31443 });
    const out = withoutNodePorts(lb, [31080, 32456]);
    expect(spec(out).ports?.map((p) => p.nodePort)).toEqual([undefined, 31443]);
    expect(spec(out).healthCheckNodePort).toBeUndefined();
    expect(spec(lb).ports?.[0]?.nodePort).toBe(31080); // the input is left alone
  });

  it('names each port the target assigned anew, in a warning that says how to fail instead', () => {
    const desired = service('LoadBalancer');
    const live = service('LoadBalancer');
    (live.spec as Spec).ports![0]!.nodePort = 30123;
    const changes = reassignedNodePorts(desired, live);
    expect(changes).toEqual([{ field: 'port 80/TCP', from: 31080, to: 30123 }]);
    expect(reassignedNodePortsWarning(changes)).toBe(
      'node port already allocated in the target cluster, new ones assigned: port 80/TCP node port 31080 -> 30123 ' +
        '(set preserveNodePorts: true to fail instead)',
    );
    expect(reassignedNodePorts(desired, service('LoadBalancer'))).toEqual([]);
    expect(nodePortsTakenError([30080])).toBe(
      'node port 30080 already allocated in the target cluster; not restored because preserveNodePorts is true',
    );
  });

  it('fits the restored Service to the live one: live clusterIP, and live node ports unless preserveNodePorts', () => {
    const desired = run(serviceAction, service('NodePort')).object;
    const live = service('NodePort');
    (live.spec as Spec).ports![0]!.nodePort = 31999;
    const fitted = serviceForExisting(desired, live);
    expect(spec(fitted).clusterIP).toBe('172.16.12.35');
    expect(spec(fitted).clusterIPs).toEqual(['172.16.12.35']);
    expect(spec(fitted).ports?.[0]?.nodePort).toBe(31999);
    expect(spec(desired).ports?.[0]?.nodePort).toBe(30080); // the input is left alone
    const preserved = serviceForExisting(desired, live, true);
    expect(spec(preserved).ports?.[0]?.nodePort).toBe(30080);
    expect(spec(preserved).clusterIP).toBe('172.16.12.35');
  });
});

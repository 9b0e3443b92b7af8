import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../resources/types.js';
import { LAST_APPLIED_ANNOTATION, serviceAction } from './service.js';
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

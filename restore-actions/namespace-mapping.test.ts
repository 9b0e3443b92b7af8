import { describe, expect, it } from 'vitest';
import { applyNamespaceMapping } from './namespace-mapping.js';
import { deployment, diskPv, namespace, roleBinding } from './testdata/objects.js';

const mapping = { shop: 'shop-dr', monitoring: 'monitoring-dr' };

describe('namespaceMapping', () => {
  it('moves namespaced objects', () => {
    expect(applyNamespaceMapping(deployment(), mapping).metadata.namespace).toBe('shop-dr');
    expect(applyNamespaceMapping(deployment(), { other: 'x' }).metadata.namespace).toBe('shop');
  });

  it('renames the Namespace object itself, with its metadata.name label', () => {
    const ns = applyNamespaceMapping(namespace(), mapping);
    expect(ns.metadata.name).toBe('shop-dr');
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'shop-dr', team: 'retail' });
  });

  it("rewrites RoleBinding subjects' namespaces, leaving users alone", () => {
    const rb = applyNamespaceMapping(roleBinding(), mapping);
    expect(rb.metadata.namespace).toBe('shop-dr');
    expect(rb.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'web', namespace: 'shop-dr' },
      { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring-dr' },
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    ]);
  });

  it("rewrites a PV's claimRef namespace", () => {
    const pv = applyNamespaceMapping(diskPv('Retain'), mapping);
    expect((pv.spec as { claimRef: { namespace: string } }).claimRef.namespace).toBe('shop-dr');
    expect(pv.metadata.namespace).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { compareRestoreOrder, neverRestoreReason, sortForRestore, waitConditionFor } from './priorities.js';
import { deployment } from './testdata/objects.js';

describe('restore order', () => {
  it('puts CRDs, namespaces, storage, volumes, RBAC, config and pods first, the rest alphabetically', () => {
    const shuffled = [
      'services.serving.knative.dev',
      'deployments.apps',
      'services',
      'pods',
      'configmaps',
      'persistentvolumeclaims',
      'rolebindings.rbac.authorization.k8s.io',
      'clusterroles.rbac.authorization.k8s.io',
      'serviceaccounts',
      'secrets',
      'persistentvolumes',
      'namespaces',
      'customresourcedefinitions.apiextensions.k8s.io',
      'storageclasses.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'replicasets.apps',
      'endpoints',
      'limitranges',
      'priorityclasses.scheduling.k8s.io',
      'ingresses.networking.k8s.io',
      'clusters.cluster.x-k8s.io',
      'widgets.example.io',
      'events',
      'nodes',
      'pods',
    ];
    expect(sortForRestore(shuffled)).toEqual([
      'customresourcedefinitions.apiextensions.k8s.io',
      'namespaces',
      'storageclasses.storage.k8s.io',
      'volumesnapshotclasses.snapshot.storage.k8s.io',
      'volumesnapshotcontents.snapshot.storage.k8s.io',
      'volumesnapshots.snapshot.storage.k8s.io',
      'persistentvolumes',
      'persistentvolumeclaims',
      'clusterroles.rbac.authorization.k8s.io',
      'rolebindings.rbac.authorization.k8s.io',
      'serviceaccounts',
      'secrets',
      'configmaps',
      'limitranges',
      'priorityclasses.scheduling.k8s.io',
      'pods',
      'replicasets.apps',
      'endpoints',
      'services',
      'deployments.apps',
      'ingresses.networking.k8s.io',
      'services.serving.knative.dev',
      'widgets.example.io',
      'clusters.cluster.x-k8s.io',
    ]);
  });

  it('a custom `services` type is not taken for core services', () => {
    expect(compareRestoreOrder('services', 'services.serving.knative.dev')).toBeLessThan(0);
    expect(compareRestoreOrder('deployments.apps', 'services.serving.knative.dev')).toBeLessThan(0);
  });

  it('waits for CRDs to be Established', () => {
    expect(waitConditionFor('customresourcedefinitions.apiextensions.k8s.io')).toBe('Established');
    expect(waitConditionFor('pods')).toBeUndefined();
  });
});

describe('never restored', () => {
  it.each([
    'nodes',
    'events',
    'events.events.k8s.io',
    'backups.velero.io',
    'restores.velero.io',
    'volumeattachments.storage.k8s.io',
  ])('%s', (gr) => {
    expect(neverRestoreReason(gr)).toBe(`${gr} are never restored`);
  });

  it("the backup center's own objects, by label", () => {
    const own = deployment();
    own.metadata.labels = { 'app.kubernetes.io/part-of': 'backup-center' };
    expect(neverRestoreReason('deployments.apps', own)).toMatch(/belongs to the backup center itself/);
    expect(neverRestoreReason('deployments.apps', deployment())).toBeUndefined();
  });
});

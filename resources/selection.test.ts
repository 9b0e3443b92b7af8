import { describe, expect, it } from 'vitest';
import {
  isNamespaceSelected,
  requiredClusterRefs,
  resolveResourceName,
  selectNamespaces,
  selectResourceTypes,
  validateNamespaceFilter,
} from './selection.js';
import { type ApiResourceType, type KubeObject, groupResource } from './types.js';

const RW = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const t = (
  group: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  extra: Partial<ApiResourceType> = {},
): ApiResourceType => ({
  group,
  resource,
  kind,
  namespaced,
  versions: ['v1'],
  preferredVersion: 'v1',
  verbs: RW,
  ...extra,
});

// A trimmed discovery of a 1.28 cluster with one CRD-backed and one aggregated API.
const DISCOVERY: ApiResourceType[] = [
  t('', 'pods', 'Pod', true, { shortNames: ['po'], singularName: 'pod' }),
  t('', 'services', 'Service', true, { shortNames: ['svc'], singularName: 'service' }),
  t('', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  t('', 'secrets', 'Secret', true),
  t('', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'] }),
  t('', 'persistentvolumes', 'PersistentVolume', false, { shortNames: ['pv'] }),
  t('', 'namespaces', 'Namespace', false, { shortNames: ['ns'] }),
  t('', 'nodes', 'Node', false, { shortNames: ['no'] }),
  t('', 'events', 'Event', true, { shortNames: ['ev'] }),
  t('', 'bindings', 'Binding', true, { verbs: ['create'] }),
  t('', 'componentstatuses', 'ComponentStatus', false, { shortNames: ['cs'], verbs: ['get', 'list'] }),
  t('', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  t('apps', 'deployments', 'Deployment', true, { shortNames: ['deploy'], singularName: 'deployment' }),
  t('apps', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'] }),
  t('apps', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'] }),
  t('batch', 'jobs', 'Job', true),
  t('events.k8s.io', 'events', 'Event', true, { shortNames: ['ev'] }),
  t('storage.k8s.io', 'storageclasses', 'StorageClass', false, { shortNames: ['sc'] }),
  t('rbac.authorization.k8s.io', 'roles', 'Role', true),
  t('rbac.authorization.k8s.io', 'rolebindings', 'RoleBinding', true),
  t('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  t('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  t('authentication.k8s.io', 'tokenreviews', 'TokenReview', false, { verbs: ['create'] }),
  t('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, { verbs: ['create'] }),
  t('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', false, {
    shortNames: ['crd', 'crds'],
  }),
  t('metrics.k8s.io', 'pods', 'PodMetrics', true, { verbs: ['get', 'list'] }),
  t('serving.knative.dev', 'services', 'Service', true, { shortNames: ['ksvc'] }),
  t('example.io', 'widgets', 'Widget', true, { versions: ['v1', 'v1beta1'] }),
];

const names = (ts: ApiResourceType[]) => ts.map((x) => groupResource(x.group, x.resource));

describe('namespace selection', () => {
  const existing = [
    'default',
    'shop',
    'shop-staging',
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'csdr',
    'backup-center',
    'monitoring',
  ];

  it('takes every namespace but the system ones and its own by default', () => {
    expect(selectNamespaces(existing)).toEqual(['default', 'monitoring', 'shop', 'shop-staging']);
  });

  it('supports * patterns and exclusions, exclusion winning', () => {
    expect(selectNamespaces(existing, { includedNamespaces: ['shop*'] })).toEqual(['shop', 'shop-staging']);
    expect(selectNamespaces(existing, { includedNamespaces: ['shop*'], excludedNamespaces: ['*-staging'] })).toEqual([
      'shop',
    ]);
    expect(selectNamespaces(existing, { excludedNamespaces: ['monitoring', 'default'] })).toEqual([
      'shop',
      'shop-staging',
    ]);
  });

  it('takes a system namespace only when named exactly', () => {
    expect(selectNamespaces(existing, { includedNamespaces: ['kube-*'] })).toEqual([]);
    expect(selectNamespaces(existing, { includedNamespaces: ['kube-system', 'shop'] })).toEqual([
      'kube-system',
      'shop',
    ]);
    expect(isNamespaceSelected('csdr', { includedNamespaces: ['*'] })).toBe(false);
    expect(isNamespaceSelected('csdr', { includedNamespaces: ['csdr'] })).toBe(true);
  });

  it('excludes a configured own namespace', () => {
    expect(selectNamespaces(['bc', 'backup-center', 'app'], { ownNamespace: 'bc' })).toEqual(['app', 'backup-center']);
  });

  it('an exclusion list that leaves nothing selects nothing', () => {
    expect(selectNamespaces(['default', 'kube-system'], { excludedNamespaces: ['default'] })).toEqual([]);
  });

  it('validates patterns with field paths', () => {
    expect(validateNamespaceFilter({ includedNamespaces: ['ok', 'Bad_NS'], excludedNamespaces: ['*', 'ok'] })).toEqual([
      { path: 'includedNamespaces[1]', message: expect.stringContaining('"Bad_NS"') },
      { path: 'excludedNamespaces[0]', message: "'*' would exclude every namespace" },
      { path: 'excludedNamespaces[1]', message: '"ok" is both included and excluded' },
    ]);
  });
});

describe('resource type names', () => {
  it.each([
    ['Deployment', ['deployments.apps']],
    ['deployments', ['deployments.apps']],
    ['deployment', ['deployments.apps']],
    ['deploy', ['deployments.apps']],
    ['DEPLOYMENTS.APPS', ['deployments.apps']],
    ['pvc', ['persistentvolumeclaims']],
    ['services', ['services']],
    ['Service', ['services']],
    ['services.serving.knative.dev', ['services.serving.knative.dev']],
    ['ksvc', ['services.serving.knative.dev']],
    ['events', ['events']],
    ['events.events.k8s.io', ['events.events.k8s.io']],
    ['nosuchthing', []],
  ])('%s', (name, expected) => {
    expect(names(resolveResourceName(name, DISCOVERY))).toEqual(expected);
  });
});

describe('resource type selection', () => {
  it('skips events, nodes and virtual/read-only types, by verbs', () => {
    const sel = selectResourceTypes(DISCOVERY, { includeClusterResources: true });
    const all = [...names(sel.namespaced), ...names(sel.clusterScoped)];
    for (const never of [
      'events',
      'events.events.k8s.io',
      'nodes',
      'bindings',
      'componentstatuses',
      'tokenreviews.authentication.k8s.io',
      'selfsubjectaccessreviews.authorization.k8s.io',
      'pods.metrics.k8s.io',
    ]) {
      expect(all).not.toContain(never);
    }
    expect(sel.skipped.find((s) => s.groupResource === 'componentstatuses')?.reason).toMatch(/lacks create/);
    expect(sel.skipped.find((s) => s.groupResource === 'bindings')?.reason).toMatch(/lacks list, get/);
    expect(all).toContain('widgets.example.io');
    expect(all).toContain('storageclasses.storage.k8s.io');
  });

  it('excluded wins over included', () => {
    const sel = selectResourceTypes(DISCOVERY, {
      includedResources: ['deploy', 'Secret', 'cm'],
      excludedResources: ['secrets'],
    });
    expect(names(sel.namespaced)).toEqual(['configmaps', 'deployments.apps']);
  });

  it('reports names that match nothing', () => {
    expect(selectResourceTypes(DISCOVERY, { includedResources: ['deployments', 'gadgets'] }).unknown).toEqual([
      'gadgets',
    ]);
  });

  it('includeClusterResources: true takes all cluster-scoped types, false none but Namespaces on demand', () => {
    expect(names(selectResourceTypes(DISCOVERY, { includeClusterResources: true }).clusterScoped)).toEqual([
      'clusterrolebindings.rbac.authorization.k8s.io',
      'clusterroles.rbac.authorization.k8s.io',
      'customresourcedefinitions.apiextensions.k8s.io',
      'namespaces',
      'persistentvolumes',
      'storageclasses.storage.k8s.io',
    ]);
    const off = selectResourceTypes(DISCOVERY, { includeClusterResources: false });
    expect(off.clusterScoped).toEqual([]);
    expect(names(off.clusterScopedOnDemand)).toEqual(['namespaces']);
  });

  it('includeClusterResources unset: cluster-scoped types on demand, unless named explicitly', () => {
    const sel = selectResourceTypes(DISCOVERY, {});
    expect(sel.clusterScoped).toEqual([]);
    expect(names(sel.clusterScopedOnDemand)).toContain('persistentvolumes');
    const named = selectResourceTypes(DISCOVERY, { includedResources: ['deployments', 'storageclasses'] });
    expect(names(named.clusterScoped)).toEqual(['storageclasses.storage.k8s.io']);
  });
});

describe('cluster-scoped objects the namespaced items need', () => {
  const pvc: KubeObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data-mysql-0', namespace: 'shop' },
    spec: { storageClassName: 'alicloud-disk-essd', volumeName: 'd-2ze53mvwvrt4o3xxxxxx' },
  };
  const rb: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'shop-view', namespace: 'shop' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'ServiceAccount', name: 'shop', namespace: 'shop' }],
  };
  const deploy: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: { template: { spec: { priorityClassName: 'high', containers: [{ name: 'web', image: 'nginx' }] } } },
  };
  const widget: KubeObject = {
    apiVersion: 'example.io/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'shop' },
  };
  const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shop', namespace: 'shop' } };
  const crb: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'shop-node-reader' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'shop', namespace: 'shop' }],
  };

  it('finds namespaces, PVs, StorageClasses, CRDs, ClusterRoles, PriorityClasses', () => {
    const refs = requiredClusterRefs([pvc, rb, deploy, widget], { types: DISCOVERY });
    expect(refs.map((r) => `${groupResource(r.group, r.resource)}/${r.name}`)).toEqual([
      'clusterroles.rbac.authorization.k8s.io/view',
      'customresourcedefinitions.apiextensions.k8s.io/widgets.example.io',
      'namespaces/shop',
      'namespaces/web',
      'persistentvolumes/d-2ze53mvwvrt4o3xxxxxx',
      'priorityclasses.scheduling.k8s.io/high',
      'storageclasses.storage.k8s.io/alicloud-disk-essd',
    ]);
    expect(refs.find((r) => r.resource === 'namespaces')).toEqual({
      group: '',
      version: 'v1',
      resource: 'namespaces',
      name: 'shop',
    });
  });

  it('a second pass with the fetched PVs adds their StorageClasses', () => {
    const pv: KubeObject = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: { storageClassName: 'nas' },
    };
    expect(requiredClusterRefs([pv]).map((r) => r.name)).toEqual(['nas']);
  });

  it('leaves out CRDs that do not exist (aggregated APIs) and types the selection does not take', () => {
    expect(requiredClusterRefs([widget], { types: DISCOVERY, crdNames: [] }).map((r) => r.resource)).toEqual([
      'namespaces',
    ]);
    const selection = selectResourceTypes(DISCOVERY, { excludedResources: ['storageclasses'] });
    expect(requiredClusterRefs([pvc], { selection }).map((r) => r.resource)).toEqual([
      'namespaces',
      'persistentvolumes',
    ]);
  });

  it('adds ClusterRoleBindings of included ServiceAccounts and their ClusterRoles', () => {
    const refs = requiredClusterRefs([sa], { clusterRoleBindings: [crb] });
    expect(refs.map((r) => `${r.resource}/${r.name}`)).toEqual([
      'clusterrolebindings/shop-node-reader',
      'clusterroles/node-reader',
      'namespaces/shop',
    ]);
  });
});

describe('mayReferenceClusterObjects', () => {
  it('is false only for built-in kinds whose sole cluster-scoped need is their Namespace', async () => {
    const { mayReferenceClusterObjects, requiredClusterRefs } = await import('./selection.js');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } };
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'p', namespace: 'n' },
      spec: { storageClassName: 'sc' },
    };
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'n' },
      spec: { template: { spec: { priorityClassName: 'high' } } },
    };
    const cr = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'n' } };
    expect(mayReferenceClusterObjects(cm)).toBe(false);
    expect(requiredClusterRefs([cm]).map((r) => r.resource)).toEqual(['namespaces']);
    for (const o of [pvc, deploy, cr]) expect(mayReferenceClusterObjects(o)).toBe(true);
  });
});

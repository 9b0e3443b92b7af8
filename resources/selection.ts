// What a backup (or restore) takes: namespaces, resource types, and the cluster-scoped objects the
// namespaced ones need. Pure: no I/O; the caller lists namespaces and discovery.

import {
  type ApiResourceType,
  type KubeObject,
  type ResourceRef,
  BUILT_IN_API_GROUPS,
  groupResource,
  parseApiVersion,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------------------------

/**
 * Namespaces never backed up unless named exactly in `includedNamespaces`: the Kubernetes system
 * namespaces (their content is cluster-specific, FAQ "Why are resources in the csdr, kube-system,
 * kube-public, and kube-node namespaces not backed up by default?") and the managed backup
 * center's own `csdr`. The project's own namespace is added by `ownNamespace`.
 */
export const ALWAYS_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'csdr'];
export const DEFAULT_OWN_NAMESPACE = 'backup-center';

export interface NamespaceFilter {
  /** Names or `*` globs; absent or empty means all (`*`). */
  includedNamespaces?: readonly string[];
  /** Names or `*` globs; an exclusion wins over an inclusion. */
  excludedNamespaces?: readonly string[];
  /** The namespace the backup center runs in; default `backup-center`. */
  ownNamespace?: string;
}

export interface FieldError {
  path: string;
  message: string;
}

const NAMESPACE_PATTERN = /^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/;

/** Glob match: `*` any run of characters, `?` exactly one; everything else literal. */
export function globMatch(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  let re = '^';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 's').test(name);
}

/** Why the filter is invalid, as `{path, message}` for the API's problem details. */
export function validateNamespaceFilter(f: NamespaceFilter): FieldError[] {
  const errors: FieldError[] = [];
  const check = (field: 'includedNamespaces' | 'excludedNamespaces') => {
    (f[field] ?? []).forEach((p, i) => {
      if (typeof p !== 'string' || p.length > 63 || !NAMESPACE_PATTERN.test(p))
        errors.push({
          path: `${field}[${i}]`,
          message: `${JSON.stringify(p)} is not a namespace name or '*' pattern (lowercase letters, digits, '-', at most 63 characters)`,
        });
    });
  };
  check('includedNamespaces');
  check('excludedNamespaces');
  (f.excludedNamespaces ?? []).forEach((p, i) => {
    if (p === '*') errors.push({ path: `excludedNamespaces[${i}]`, message: "'*' would exclude every namespace" });
  });
  const included = new Set(f.includedNamespaces ?? []);
  (f.excludedNamespaces ?? []).forEach((p, i) => {
    if (included.has(p) && p !== '*')
      errors.push({ path: `excludedNamespaces[${i}]`, message: `${JSON.stringify(p)} is both included and excluded` });
  });
  return errors;
}

/** Whether one namespace is selected by the filter. */
export function isNamespaceSelected(name: string, f: NamespaceFilter = {}): boolean {
  const included = f.includedNamespaces && f.includedNamespaces.length > 0 ? f.includedNamespaces : ['*'];
  const excluded = f.excludedNamespaces ?? [];
  if (excluded.some((p) => globMatch(p, name))) return false;
  const own = f.ownNamespace ?? DEFAULT_OWN_NAMESPACE;
  const named = included.includes(name);
  if ((ALWAYS_EXCLUDED_NAMESPACES.includes(name) || name === own) && !named) return false;
  return named || included.some((p) => globMatch(p, name));
}

/** The selected namespaces among the existing ones, sorted and without duplicates. */
export function selectNamespaces(existing: readonly string[], f: NamespaceFilter = {}): string[] {
  return [...new Set(existing)].filter((n) => isNamespaceSelected(n, f)).sort();
}

// ---------------------------------------------------------------------------------------------
// Resource types
// ---------------------------------------------------------------------------------------------

/** Group-resources never backed up whatever the filter says (Velero restores none of them either). */
export const NEVER_BACKED_UP: readonly string[] = ['events', 'events.events.k8s.io', 'nodes'];

/** Verbs a type must serve to be backed up and restored; virtual/read-only types lack some. */
export const REQUIRED_VERBS: readonly string[] = ['list', 'get', 'create'];

/** Why a served type is never backed up, or undefined when it can be. */
export function unbackupableReason(t: ApiResourceType): string | undefined {
  const gr = groupResource(t.group, t.resource);
  if (t.resource.includes('/')) return `${gr}: a subresource`;
  if (NEVER_BACKED_UP.includes(gr)) return `${gr}: never backed up (cluster-specific)`;
  const missing = REQUIRED_VERBS.filter((v) => !t.verbs.includes(v));
  if (missing.length > 0)
    return `${gr}: not a stored object type (verbs ${t.verbs.join(',') || 'none'}; lacks ${missing.join(', ')})`;
  return undefined;
}

function namesOf(t: ApiResourceType): string[] {
  const names = [t.resource, t.kind, ...(t.shortNames ?? [])];
  if (t.singularName) names.push(t.singularName);
  return names.map((n) => n.toLowerCase());
}

/**
 * The types a user-written name refers to: kind (`Deployment`), plural (`deployments`), singular,
 * short name (`deploy`), each optionally qualified by group (`deployments.apps`), case-insensitive.
 * An unqualified name that fits types in several groups means the core group's one when there is
 * one (as kubectl resolves `services`), else all of them (`ingresses` in extensions and
 * networking.k8s.io).
 */
export function resolveResourceName(name: string, types: readonly ApiResourceType[]): ApiResourceType[] {
  const n = name.trim().toLowerCase();
  if (n === '*') return [...types];
  const unqualified = types.filter((t) => namesOf(t).includes(n));
  if (unqualified.length > 0) {
    const core = unqualified.filter((t) => t.group === '');
    return core.length > 0 ? core : unqualified;
  }
  const dot = n.indexOf('.');
  if (dot < 0) return [];
  const short = n.slice(0, dot);
  const group = n.slice(dot + 1);
  return types.filter((t) => t.group.toLowerCase() === group && namesOf(t).includes(short));
}

export interface ResourceFilter {
  /** Type names (see resolveResourceName) or `*`; absent or empty means all. */
  includedResources?: readonly string[];
  /** Type names; an exclusion wins. */
  excludedResources?: readonly string[];
  /**
   * true: every cluster-scoped type; false: none (Namespace objects of the selected namespaces
   * excepted); undefined: only the cluster-scoped objects the namespaced items need, plus
   * cluster-scoped types named explicitly in includedResources.
   */
  includeClusterResources?: boolean;
}

export interface ResourceSelection {
  /** Namespaced types to list in each selected namespace. */
  namespaced: ApiResourceType[];
  /** Cluster-scoped types to take in full. */
  clusterScoped: ApiResourceType[];
  /** Cluster-scoped types to take only the objects that selected items need (requiredClusterRefs). */
  clusterScopedOnDemand: ApiResourceType[];
  /** Types passed over, with the reason (only those the filter would otherwise have taken). */
  skipped: Array<{ groupResource: string; reason: string }>;
  /** Names in includedResources / excludedResources that match no served type. */
  unknown: string[];
}

const byGroupResource = (a: ApiResourceType, b: ApiResourceType): number => {
  const x = groupResource(a.group, a.resource);
  const y = groupResource(b.group, b.resource);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Resolves the filter against discovery. */
export function selectResourceTypes(types: readonly ApiResourceType[], f: ResourceFilter = {}): ResourceSelection {
  const unknown: string[] = [];
  const resolve = (names: readonly string[]): Set<ApiResourceType> => {
    const out = new Set<ApiResourceType>();
    for (const name of names) {
      const found = resolveResourceName(name, types);
      if (found.length === 0 && !unknown.includes(name)) unknown.push(name);
      found.forEach((t) => out.add(t));
    }
    return out;
  };
  const includedNames = f.includedResources && f.includedResources.length > 0 ? f.includedResources : ['*'];
  const included = resolve(includedNames);
  const explicitlyNamed = resolve(includedNames.filter((n) => n.trim() !== '*'));
  const excluded = resolve(f.excludedResources ?? []);

  const sel: ResourceSelection = { namespaced: [], clusterScoped: [], clusterScopedOnDemand: [], skipped: [], unknown };
  for (const t of [...types].sort(byGroupResource)) {
    if (!included.has(t) || excluded.has(t)) continue;
    const reason = unbackupableReason(t);
    if (reason) {
      sel.skipped.push({ groupResource: groupResource(t.group, t.resource), reason });
      continue;
    }
    if (t.namespaced) sel.namespaced.push(t);
    else if (f.includeClusterResources === true) sel.clusterScoped.push(t);
    else if (f.includeClusterResources === false) {
      if (t.group === '' && t.resource === 'namespaces') sel.clusterScopedOnDemand.push(t);
    } else if (explicitlyNamed.has(t)) sel.clusterScoped.push(t);
    else sel.clusterScopedOnDemand.push(t);
  }
  return sel;
}

/** Whether the selection takes objects of this group-resource (in full or on demand). */
export function selectionTakes(sel: ResourceSelection, gr: string): boolean {
  const is = (t: ApiResourceType) => groupResource(t.group, t.resource) === gr;
  return sel.namespaced.some(is) || sel.clusterScoped.some(is) || sel.clusterScopedOnDemand.some(is);
}

// ---------------------------------------------------------------------------------------------
// Cluster-scoped objects the namespaced items need
// ---------------------------------------------------------------------------------------------

export interface RequiredRefsOptions {
  /** Discovery, to name the CRD of a custom resource (`<plural>.<group>`) and pick versions. */
  types?: readonly ApiResourceType[];
  /** Names of the CRDs that exist; when given, custom resources of other groups (aggregated APIs) yield no CRD. */
  crdNames?: ReadonlySet<string> | readonly string[];
  /** The cluster's ClusterRoleBindings: those binding an included ServiceAccount are needed, with their ClusterRoles. */
  clusterRoleBindings?: readonly KubeObject[];
  /** When given, refs of group-resources the selection does not take are left out. */
  selection?: ResourceSelection;
}

type Spec = Record<string, unknown>;

function asRecord(v: unknown): Spec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Spec) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The pod spec of a Pod, of a workload's template, or of a CronJob's job template. */
export function podSpecsOf(obj: KubeObject): Spec[] {
  const spec = asRecord(obj.spec);
  if (!spec) return [];
  if (obj.kind === 'Pod') return [spec];
  const tpl = asRecord(asRecord(spec.template)?.spec);
  if (tpl) return [tpl];
  const jobTpl = asRecord(asRecord(asRecord(asRecord(spec.jobTemplate)?.spec)?.template)?.spec);
  return jobTpl ? [jobTpl] : [];
}

/** Kinds whose objects name cluster-scoped objects other than their Namespace (see requiredClusterRefs). */
const REFERENCING_KINDS = new Set([
  '/PersistentVolumeClaim',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/RoleBinding',
  'networking.k8s.io/Ingress',
  '/ServiceAccount',
]);

/**
 * Whether requiredClusterRefs can find anything in this object beyond its Namespace: a fast path
 * for backups, which see every object and mostly objects that reference nothing.
 */
export function mayReferenceClusterObjects(obj: KubeObject): boolean {
  return kindMayReferenceClusterObjects(parseApiVersion(obj.apiVersion).group, obj.kind) || podSpecsOf(obj).length > 0;
}

/** Whether objects of this kind may reference cluster-scoped objects whatever their content; else only a pod spec can. */
export function kindMayReferenceClusterObjects(group: string, kind: string): boolean {
  return !BUILT_IN_API_GROUPS.has(group) || REFERENCING_KINDS.has(`${group}/${kind}`);
}

/**
 * The cluster-scoped objects that the given objects need in order to work after a restore:
 * their Namespaces; PVs bound to PVCs; StorageClasses of PVCs and PVs; CRDs of custom resources;
 * ClusterRoles referenced by RoleBindings; PriorityClasses of pods and pod templates; IngressClasses
 * of Ingresses; with `clusterRoleBindings`, the bindings of included ServiceAccounts and their roles.
 * PVs are cluster-scoped: pass the fetched PVs back in to get their StorageClasses. Sorted, unique.
 */
export function requiredClusterRefs(objects: readonly KubeObject[], opts: RequiredRefsOptions = {}): ResourceRef[] {
  const refs = new Map<string, ResourceRef>();
  const versionOf = (group: string, resource: string, fallback: string): string =>
    opts.types?.find((t) => t.group === group && t.resource === resource)?.preferredVersion ?? fallback;
  const add = (group: string, resource: string, name: string | undefined, fallbackVersion = 'v1') => {
    if (!name) return;
    const gr = groupResource(group, resource);
    if (opts.selection && !selectionTakes(opts.selection, gr)) return;
    refs.set(`${gr}/${name}`, { group, version: versionOf(group, resource, fallbackVersion), resource, name });
  };
  const crdNames = opts.crdNames ? new Set(opts.crdNames) : undefined;
  const serviceAccounts = new Set<string>();

  for (const obj of objects) {
    const { group } = parseApiVersion(obj.apiVersion);
    const spec = asRecord(obj.spec) ?? {};
    add('', 'namespaces', obj.metadata.namespace);

    switch (`${group}/${obj.kind}`) {
      case '/PersistentVolumeClaim':
        add('', 'persistentvolumes', str(spec.volumeName));
        add('storage.k8s.io', 'storageclasses', str(spec.storageClassName));
        break;
      case '/PersistentVolume':
        add('storage.k8s.io', 'storageclasses', str(spec.storageClassName));
        break;
      case 'rbac.authorization.k8s.io/RoleBinding': {
        const roleRef = asRecord(obj.roleRef);
        if (roleRef?.kind === 'ClusterRole') add('rbac.authorization.k8s.io', 'clusterroles', str(roleRef.name));
        break;
      }
      case 'networking.k8s.io/Ingress':
        add('networking.k8s.io', 'ingressclasses', str(spec.ingressClassName));
        break;
      case '/ServiceAccount':
        if (obj.metadata.namespace) serviceAccounts.add(`${obj.metadata.namespace}/${obj.metadata.name}`);
        break;
    }
    for (const podSpec of podSpecsOf(obj)) add('scheduling.k8s.io', 'priorityclasses', str(podSpec.priorityClassName));

    if (!BUILT_IN_API_GROUPS.has(group)) {
      const t = opts.types?.find((x) => x.group === group && x.kind === obj.kind);
      const crd = t ? `${t.resource}.${group}` : undefined;
      if (crd && (!crdNames || crdNames.has(crd))) add('apiextensions.k8s.io', 'customresourcedefinitions', crd);
    }
  }

  for (const crb of opts.clusterRoleBindings ?? []) {
    const subjects = Array.isArray(crb.subjects) ? (crb.subjects as unknown[]) : [];
    const binds = subjects.some((s) => {
      const r = asRecord(s);
      return r?.kind === 'ServiceAccount' && serviceAccounts.has(`${String(r.namespace)}/${String(r.name)}`);
    });
    if (!binds) continue;
    add('rbac.authorization.k8s.io', 'clusterrolebindings', crb.metadata.name);
    const roleRef = asRecord(crb.roleRef);
    if (roleRef?.kind === 'ClusterRole') add('rbac.authorization.k8s.io', 'clusterroles', str(roleRef.name));
  }

  return [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
}

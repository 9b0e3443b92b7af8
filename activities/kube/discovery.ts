import type { ApiResourceType } from '../../resources/types.js';
import type { KubeClient } from './client.js';

interface ApiResourceList {
  groupVersion: string;
  resources: Array<{
    name: string;
    kind: string;
    namespaced: boolean;
    verbs: string[];
    shortNames?: string[];
    singularName?: string;
  }>;
}
interface ApiGroupList {
  groups: Array<{
    name: string;
    versions: Array<{ groupVersion: string; version: string }>;
    preferredVersion?: { version: string };
  }>;
}

/**
 * Every resource type the cluster serves, custom resources included, with every served version
 * of its group (preferred first). Subresources (`pods/log`) are left out. A group version whose
 * discovery fails (an aggregated API that is down) is reported, not fatal. `onProgress` is called
 * as each group version answers (an activity passes its heartbeat: a cluster with many aggregated
 * APIs, some slow, can take a while).
 */
export async function discoverResources(
  kube: KubeClient,
  onProgress: () => void = () => {},
): Promise<{ types: ApiResourceType[]; failedGroupVersions: Array<{ groupVersion: string; message: string }> }> {
  const core = await kube.get<{ versions: string[] }>('/api');
  const groups = await kube.get<ApiGroupList>('/apis');
  onProgress();
  const gvs: Array<{ group: string; version: string; preferred: string; all: string[] }> = [];
  for (const v of core.versions)
    gvs.push({ group: '', version: v, preferred: core.versions[0] ?? v, all: core.versions });
  for (const g of groups.groups) {
    const all = g.versions.map((v) => v.version);
    const preferred = g.preferredVersion?.version ?? all[0] ?? '';
    const ordered = [preferred, ...all.filter((v) => v !== preferred)];
    for (const v of ordered) gvs.push({ group: g.name, version: v, preferred, all: ordered });
  }

  const failedGroupVersions: Array<{ groupVersion: string; message: string }> = [];
  const lists = await Promise.all(
    gvs.map(async (gv) => {
      const path = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
      try {
        return { gv, list: await kube.get<ApiResourceList>(path) };
      } catch (err) {
        failedGroupVersions.push({
          groupVersion: gv.group ? `${gv.group}/${gv.version}` : gv.version,
          message: String((err as Error).message),
        });
        return { gv, list: undefined };
      } finally {
        onProgress();
      }
    }),
  );

  // One entry per group+resource; versions are those of the group in which the resource is served.
  const byKey = new Map<string, ApiResourceType>();
  for (const { gv, list } of lists) {
    for (const r of list?.resources ?? []) {
      if (r.name.includes('/')) continue;
      const key = `${gv.group}/${r.name}`;
      const existing = byKey.get(key);
      if (existing) {
        existing.versions.push(gv.version);
        continue;
      }
      byKey.set(key, {
        group: gv.group,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        shortNames: r.shortNames ?? [],
        singularName: r.singularName || r.kind.toLowerCase(),
        versions: [gv.version],
        preferredVersion: gv.preferred,
        verbs: r.verbs,
      });
    }
  }
  // A resource may be absent from the preferred version (served only in an older one): then its
  // own first served version is the preferred one for it.
  for (const t of byKey.values()) {
    if (!t.versions.includes(t.preferredVersion)) t.preferredVersion = t.versions[0] ?? t.preferredVersion;
  }
  return { types: [...byKey.values()], failedGroupVersions };
}

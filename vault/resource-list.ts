// `<backup>-resource-list.json.gz`: what `velero backup describe --details` prints. Velero keys it
// by the object's GroupVersionKind as `<group>/<version>/<Kind>` (`v1/<Kind>` for the core group,
// see resourceKey in pkg/backup/item_backupper.go) and lists `<ns>/<name>`, or `<name>` for
// cluster-scoped objects, sorted (pkg/backup/backed_up_items_map.go). Pure.

import { z } from 'zod';

/** GroupVersionKind key -> sorted `namespace/name` or `name` entries. */
export type ResourceList = Record<string, string[]>;

export function resourceListKey(group: string, version: string, kind: string): string {
  return group ? `${group}/${version}/${kind}` : `${version}/${kind}`;
}

export function parseResourceListKey(key: string): { group: string; version: string; kind: string } | undefined {
  const parts = key.split('/');
  if (parts.length === 2 && parts.every(Boolean)) return { group: '', version: parts[0]!, kind: parts[1]! };
  if (parts.length === 3 && parts.every(Boolean)) return { group: parts[0]!, version: parts[1]!, kind: parts[2]! };
  return undefined;
}

export function resourceListEntry(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export interface ResourceListItem {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * Collects items as they are backed up; holds names only, never objects. Entries are deduplicated
 * when built, not when added: a backup adds one entry per object, and a Set would hash each name.
 */
export class ResourceListBuilder {
  private readonly byKey = new Map<string, string[]>();

  add(item: ResourceListItem): void {
    const key = resourceListKey(item.group, item.version, item.kind);
    let entries = this.byKey.get(key);
    if (!entries) this.byKey.set(key, (entries = []));
    entries.push(resourceListEntry(item.namespace, item.name));
  }

  build(): ResourceList {
    const out: ResourceList = {};
    for (const key of [...this.byKey.keys()].sort()) {
      const sorted = this.byKey.get(key)!.sort();
      out[key] = sorted.filter((entry, i) => i === 0 || entry !== sorted[i - 1]);
    }
    return out;
  }
}

const resourceListSchema = z.record(z.string(), z.array(z.string()));

export function parseResourceList(json: unknown): ResourceList {
  const parsed = resourceListSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid resource list: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

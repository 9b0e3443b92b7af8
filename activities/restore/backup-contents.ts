import type { KubeObject } from '../../resources/types.js';
import type { BackupStore } from '../../vault/store.js';

/** One object of the backup, in every version stored for it. */
export interface StoredObject {
  groupResource: string;
  namespace?: string;
  name: string;
  /** version -> object as backed up in that version */
  versions: Record<string, KubeObject>;
  preferred?: string;
}

/**
 * Reads a backup's archive into memory, grouped by `resource.group`. Velero extracts the
 * tarball to disk for the same reason: a restore needs every version of an object before it can
 * choose one, and the archive stores versions apart. Memory is proportional to the backup.
 */
export async function readBackupContents(
  store: BackupStore,
  backup: string,
  /** Called after each archive entry read (an activity passes a heartbeat: a large archive takes a while). */
  onEntry: (entriesRead: number) => void = () => {},
): Promise<Map<string, Map<string, StoredObject>>> {
  const byGr = new Map<string, Map<string, StoredObject>>();
  let entriesRead = 0;
  for await (const entry of store.openArchive(backup)) {
    onEntry(++entriesRead);
    if (entry.kind !== 'object') continue;
    const { groupResource, version, preferred, namespace, name } = entry.item;
    // The legacy unversioned path repeats the preferred version; the versioned one names it.
    if (version === undefined) continue;
    let objects = byGr.get(groupResource);
    if (!objects) byGr.set(groupResource, (objects = new Map()));
    const key = namespace ? `${namespace}/${name}` : name;
    let stored = objects.get(key);
    if (!stored)
      objects.set(key, (stored = { groupResource, name, versions: {}, ...(namespace ? { namespace } : {}) }));
    stored.versions[version] = entry.object;
    if (preferred) stored.preferred = version;
  }
  return byGr;
}

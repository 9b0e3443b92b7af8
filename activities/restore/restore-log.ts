// The lines of a restore's log (`restore-<name>-logs.gz`) that are more than one call: what the
// spec selects and maps, and the counts per type. The format is the backup log's (task-log.ts).

import type { RestoreCreate, RestoreItem } from '../../domain/restore.js';
import { duration, listValue, selectorText, type TaskLog } from '../backup/task-log.js';

/** The spec's selection and mappings, in Velero's words where Velero has them. */
export function logRestoreSelection(log: TaskLog, spec: RestoreCreate): void {
  log.info(`Starting restore of backup ${spec.backupName}`, { backup: spec.backupName });
  log.info(`Including namespaces: ${listValue(spec.includedNamespaces, '*')}`);
  log.info(`Excluding namespaces: ${listValue(spec.excludedNamespaces)}`);
  log.info(`Including resources: ${listValue(spec.includedResources, '*')}`);
  log.info(`Excluding resources: ${listValue(spec.excludedResources)}`);
  log.info(`Label selector: ${spec.labelSelector !== undefined ? selectorText(spec.labelSelector) : '<none>'}`);
  const mappings: Array<[string, Record<string, string> | undefined]> = [
    ['namespaces', spec.namespaceMapping],
    ['storage classes', spec.storageClassMapping],
    ['image registries', spec.imageRegistryMapping],
    ['images', spec.imageMapping],
  ];
  for (const [what, mapping] of mappings) {
    const pairs = Object.entries(mapping ?? {});
    if (pairs.length > 0) log.info(`Mapping ${what}: ${pairs.map(([from, to]) => `${from} -> ${to}`).join(', ')}`);
  }
  log.info(`Existing resource policy: ${spec.existingResourcePolicy ?? 'none'}`, {
    preserveNodePorts: spec.preserveNodePorts,
    restorePVs: spec.restorePVs,
    resourceModifiers: spec.resourceModifiers === undefined ? undefined : 'set',
  });
}

/** Counts of one type's items by outcome, and the time its pass took. */
export class RestoreTypeStats {
  private readonly byType = new Map<string, Record<RestoreItem['outcome'], number> & { ms: number }>();

  count(gr: string, outcome: RestoreItem['outcome']): void {
    this.of(gr)[outcome]++;
  }

  time(gr: string, ms: number): void {
    this.of(gr).ms += ms;
  }

  /** One line per type, in the order the types were met. */
  lines(log: TaskLog): void {
    for (const [gr, s] of this.byType)
      log.info('Restored items', {
        resource: gr,
        created: s.created,
        updated: s.updated,
        skipped: s.skipped,
        failed: s.failed,
        duration: duration(s.ms),
      });
  }

  private of(gr: string) {
    let s = this.byType.get(gr);
    if (!s) this.byType.set(gr, (s = { created: 0, updated: 0, skipped: 0, failed: 0, ms: 0 }));
    return s;
  }
}

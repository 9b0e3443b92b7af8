import { describe, expect, it } from 'vitest';
import type { RestoreCreate } from '../../domain/restore.js';
import { TaskLog } from '../backup/task-log.js';
import { logRestoreSelection, RestoreTypeStats } from './restore-log.js';

const at = new Date('2026-01-02T03:04:05Z');
const msgs = (log: TaskLog) => log.entries().map((l) => l.replace(/^time="[^"]+" /, ''));

describe('restore log lines', () => {
  it("names the selection and every mapping applied, and leaves out mappings that aren't set", () => {
    const log = new TaskLog({ restore: 'r1' }, 10, () => at);
    logRestoreSelection(log, {
      name: 'r1',
      backupName: 'b1',
      cluster: 'b',
      includedNamespaces: ['shop'],
      labelSelector: 'app=web',
      namespaceMapping: { shop: 'shop-copy' },
      storageClassMapping: { fast: 'slow' },
      existingResourcePolicy: 'update',
      preserveNodePorts: true,
    } as RestoreCreate);
    expect(msgs(log)).toEqual([
      'level=info msg="Starting restore of backup b1" backup=b1 restore=r1',
      'level=info msg="Including namespaces: shop" restore=r1',
      'level=info msg="Excluding namespaces: <none>" restore=r1',
      'level=info msg="Including resources: *" restore=r1',
      'level=info msg="Excluding resources: <none>" restore=r1',
      'level=info msg="Label selector: app=web" restore=r1',
      'level=info msg="Mapping namespaces: shop -> shop-copy" restore=r1',
      'level=info msg="Mapping storage classes: fast -> slow" restore=r1',
      'level=info msg="Existing resource policy: update" preserveNodePorts=true restore=r1',
    ]);
  });

  it('counts each type by outcome with the time its pass took, one line per type in the order met', () => {
    const stats = new RestoreTypeStats();
    stats.count('configmaps', 'created');
    stats.count('configmaps', 'created');
    stats.count('configmaps', 'skipped');
    stats.count('deployments.apps', 'failed');
    stats.time('configmaps', 1500);
    const log = new TaskLog({}, 10, () => at);
    stats.lines(log);
    expect(msgs(log)).toEqual([
      'level=info msg="Restored items" created=2 duration=1.5s failed=0 resource=configmaps skipped=1 updated=0',
      'level=info msg="Restored items" created=0 duration=0s failed=1 resource=deployments.apps skipped=0 updated=0',
    ]);
  });
});

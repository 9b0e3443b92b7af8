import { describe, expect, it } from 'vitest';
import { duration, logBackupSelection, logLine, logValue, referenceReason, selectorText, TaskLog } from './task-log.js';

const at = new Date('2026-01-02T03:04:05.678Z');

describe('task log lines (logrus text format, as Velero writes its logs)', () => {
  it('writes time, level and msg first, then the fields sorted by key, quoting only what needs it', () => {
    expect(
      logLine(at, 'info', 'Backed up items', {
        resource: 'deployments.apps',
        items: 3,
        duration: '12ms',
        skip: undefined,
      }),
    ).toBe(
      'time="2026-01-02T03:04:05.678Z" level=info msg="Backed up items" duration=12ms items=3 resource=deployments.apps',
    );
    expect(logLine(at, 'warning', 'done', { reason: 'a "quoted" reason' })).toBe(
      'time="2026-01-02T03:04:05.678Z" level=warning msg=done reason="a \\"quoted\\" reason"',
    );
  });

  it('quotes empty values and anything but [A-Za-z0-9-._/@^+]', () => {
    expect(logValue('shop/data-0')).toBe('shop/data-0');
    expect(logValue('')).toBe('""');
    expect(logValue('a b')).toBe('"a b"');
    expect(logValue('a=b')).toBe('"a=b"');
    expect(logValue('x\ny')).toBe('"x\\ny"');
  });

  it('prints durations as Go does, to the millisecond', () => {
    expect(duration(0)).toBe('0s');
    expect(duration(12.4)).toBe('12ms');
    expect(duration(1234)).toBe('1.234s');
    expect(duration(2000)).toBe('2s');
    expect(duration(61_500)).toBe('61.5s');
  });

  it('caps the lines about single items and says how many were left out', () => {
    const log = new TaskLog({ backup: 'b1' }, 2, () => at);
    log.info('start');
    for (let i = 0; i < 5; i++) log.item('error', 'failed', { name: `x${i}` });
    const lines = log.text().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('time="2026-01-02T03:04:05.678Z" level=info msg=start backup=b1');
    expect(lines[2]).toContain('name=x1');
    expect(lines[3]).toBe(
      'time="2026-01-02T03:04:05.678Z" level=warning msg="3 more item lines were not logged (at most 2)" backup=b1',
    );
  });

  it('carries lines from an earlier activity in front', () => {
    const plan = new TaskLog({ backup: 'b1' }, 10, () => at);
    plan.info('Namespaces selected: shop');
    const run = new TaskLog({ backup: 'b1' }, 10, () => at);
    run.append(plan.entries());
    run.step('upload', Date.now() - 1500);
    const text = run.text();
    expect(text.split('\n')[0]).toContain('msg="Namespaces selected: shop"');
    expect(text).toMatch(/msg="Finished step upload" backup=b1 duration=1\.5\d*s step=upload\n$/);
  });

  it("logs a backup spec's selection in Velero's words", () => {
    const log = new TaskLog({}, 10, () => at);
    logBackupSelection(log, {
      includedNamespaces: ['shop', 'db'],
      excludedResources: ['secrets'],
      labelSelector: { matchLabels: { app: 'web' } },
    });
    const msgs = log.entries().map((l) => /msg=("(?:[^"\\]|\\.)*"|\S+)/.exec(l)![1]);
    expect(msgs).toEqual([
      '"Including namespaces: shop, db"',
      '"Excluding namespaces: <none>"',
      '"Including resources: *"',
      '"Excluding resources: secrets"',
      `"Label selector: {\\"matchLabels\\":{\\"app\\":\\"web\\"}}"`,
      '"Include cluster resources: auto (only those the selected items need)"',
    ]);
    expect(selectorText('app=web')).toBe('app=web');
  });

  it('says which field of which object made a cluster-scoped object part of the backup', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'shop' },
    };
    expect(referenceReason(pvc, { group: 'storage.k8s.io', resource: 'storageclasses' })).toBe(
      'spec.storageClassName of PersistentVolumeClaim shop/data',
    );
    expect(referenceReason(pvc, { group: '', resource: 'persistentvolumes' })).toBe(
      'spec.volumeName of PersistentVolumeClaim shop/data',
    );
    expect(referenceReason(pvc, { group: '', resource: 'namespaces' })).toBe(
      'namespace of PersistentVolumeClaim shop/data',
    );
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'r', namespace: 'shop' },
    };
    expect(referenceReason(rb, { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' })).toBe(
      'roleRef of RoleBinding shop/r',
    );
    expect(referenceReason(rb, { group: 'x.io', resource: 'things' })).toBe('referenced by RoleBinding shop/r');
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } };
    expect(referenceReason(widget, { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })).toBe(
      'defines the kind of Widget shop/w',
    );
  });
});

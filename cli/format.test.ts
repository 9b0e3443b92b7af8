import { describe, expect, it } from 'vitest';
import type { Backup } from '../domain/backup.js';
import type { Restore } from '../domain/restore.js';
import {
  describeBackup,
  describeRestore,
  progressLine,
  resourceKey,
  resourceList,
  restoreItemLines,
  shortDuration,
  table,
} from './format.js';

const backup: Backup = {
  name: 'nginx-1',
  spec: {
    cluster: 'a',
    vault: 'v',
    backupType: 'AppBackup',
    ttl: '720h0m0s',
    includedNamespaces: ['shop'],
    labelSelector: { matchLabels: { app: 'web' } },
  },
  status: {
    phase: 'PartiallyFailed',
    startTimestamp: '2025-01-01T00:00:00.000Z',
    completionTimestamp: '2025-01-01T00:01:00.000Z',
    expiration: '2025-01-31T00:00:00.000Z',
    errors: [{ code: 'ItemFailed', message: 'list pods failed', item: 'pods/v1' }],
    warnings: [],
    failureReason: null,
    progress: { totalItems: 20, itemsBackedUp: 19 },
    links: { temporalUi: 'http://ui/x' },
  },
};

describe('tables', () => {
  it('pads columns to the widest cell', () => {
    expect(
      table(
        ['NAME', 'STATUS'],
        [
          ['a', 'Completed'],
          ['longer-name', 'Failed'],
        ],
      ),
    ).toBe('NAME          STATUS\na             Completed\nlonger-name   Failed\n');
  });

  it('prints durations the way velero does', () => {
    expect(shortDuration(29 * 86_400_000 + 5)).toBe('29d');
    expect(shortDuration(3 * 3_600_000)).toBe('3h');
    expect(shortDuration(90_000)).toBe('1m');
    expect(shortDuration(-5)).toBe('0s');
  });
});

describe('describe', () => {
  it('backup: counts without --details, each issue and the resource list with it', () => {
    const short = describeBackup(backup);
    expect(short).toMatch(/^Phase: +PartiallyFailed$/m);
    expect(short).toMatch(/^Errors: +1$/m);
    expect(short).toMatch(/^Label selector: +app=web$/m);
    expect(short).toContain('Temporal UI:  http://ui/x');
    const long = describeBackup(backup, {
      details: true,
      resources: [
        { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' },
        { group: '', version: 'v1', resource: 'namespaces', name: 'shop' },
      ],
    });
    expect(long).toContain('Errors:\n  ItemFailed: list pods failed (pods/v1)\n');
    expect(long).toContain('Resource List:\n  apps/v1/deployments:\n    - shop/web\n  v1/namespaces:\n    - shop\n');
  });

  it('backup: a running one names its step, and says so when it waits for the cluster agent', () => {
    const waiting = { ...backup, status: { ...backup.status, phase: 'InProgress' as const, step: 'WaitAgent' } };
    expect(describeBackup(waiting)).toMatch(/^Phase: +InProgress \(step WaitAgent: waiting for the cluster agent\)$/m);
  });

  it('restore: items grouped by outcome, failed first, with reasons', () => {
    const restore: Restore = {
      name: 'r1',
      spec: {
        backupName: 'nginx-1',
        cluster: 'b',
        namespaceMapping: { shop: 'shop2' },
        existingResourcePolicy: 'none',
      },
      status: {
        phase: 'Completed',
        startTimestamp: '2025-01-01T00:00:00.000Z',
        completionTimestamp: null,
        errors: [],
        warnings: [],
        failureReason: null,
        progress: { totalItems: 2, itemsRestored: 2 },
        links: { temporalUi: null },
      },
    };
    const text = describeRestore(restore, {
      details: true,
      items: [
        { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop2', name: 'web', outcome: 'created' },
        {
          group: 'apps',
          version: 'v1',
          resource: 'replicasets',
          namespace: 'shop2',
          name: 'web-1',
          outcome: 'skipped',
          reason: 'owned by deployment web',
        },
      ],
    });
    expect(text).toMatch(/^Namespace mappings: +shop:shop2$/m);
    expect(text).toContain(
      'Items:\n  skipped (1):\n    - apps/v1/replicasets shop2/web-1: owned by deployment web\n  created (1):\n    - apps/v1/deployments shop2/web\n',
    );
    expect(restoreItemLines([])).toEqual(['Items:', '  <none>']);
    expect(resourceList([])).toEqual(['Resource List:', '  <none>']);
    expect(resourceKey({ group: '', version: 'v1', resource: 'configmaps' })).toBe('v1/configmaps');
  });
});

describe('progressLine', () => {
  it('shows counts once there are any, and the reason of a failure', () => {
    expect(progressLine('backup', { name: 'b', status: { phase: 'InProgress', progress: {} } }, 1500)).toBe(
      'backup b: InProgress, 1s',
    );
    expect(
      progressLine(
        'restore',
        { name: 'r', status: { phase: 'Failed', progress: { totalItems: 9, itemsRestored: 3 }, failureReason: 'x' } },
        61_000,
      ),
    ).toBe('restore r: Failed, 3/9 items restored, 1m: x');
  });
});

import { describe, expect, it } from 'vitest';
import { ArchiveWriter, readArchive } from '../vault/archive.js';
import { newBackupMetadata, parseBackupMetadata } from '../vault/backup-metadata.js';
import {
  backupFromVelero,
  hasIssues,
  issuesFromResult,
  phaseFromVelero,
  ResourceItemCollector,
} from './backup-view.js';
import { backupListQuery, matchesListQuery, mergeBackups } from './routes/backups.js';
import type { Backup } from '../domain/backup.js';

describe('backups from velero-backup.json', () => {
  it('maps our own metadata, cluster and type from the annotations', () => {
    const meta = newBackupMetadata({
      name: 'nginx-1',
      storageLocation: 'local',
      cluster: 'a',
      backupType: 'AppBackup',
      spec: { includedNamespaces: ['shop'], ttl: '72h0m0s' },
      phase: 'PartiallyFailed',
      startTimestamp: '2025-01-01T00:00:00Z',
      completionTimestamp: '2025-01-01T00:01:00Z',
      expiration: '2025-01-04T00:00:00Z',
      progress: { totalItems: 20, itemsBackedUp: 19 },
      errors: 1,
      warnings: 0,
    });
    expect(hasIssues(meta)).toBe(true);
    const backup = backupFromVelero(meta, 'local', {
      results: { errors: { namespaces: { shop: ['get pods failed'] } }, warnings: {} },
    });
    expect(backup).toEqual({
      name: 'nginx-1',
      spec: { cluster: 'a', vault: 'local', backupType: 'AppBackup', includedNamespaces: ['shop'], ttl: '72h0m0s' },
      status: {
        phase: 'PartiallyFailed',
        startTimestamp: '2025-01-01T00:00:00Z',
        completionTimestamp: '2025-01-01T00:01:00Z',
        expiration: '2025-01-04T00:00:00Z',
        errors: [{ code: 'ItemFailed', message: 'namespace shop: get pods failed' }],
        warnings: [],
        failureReason: null,
        progress: { totalItems: 20, itemsBackedUp: 19 },
        links: { temporalUi: null },
      },
    });
  });

  it("maps a Velero-made backup: nulls dropped, no cluster, Velero's phases folded", () => {
    const meta = parseBackupMetadata({
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: { name: 'from-velero', namespace: 'velero' },
      spec: {
        includedNamespaces: ['*'],
        excludedNamespaces: null,
        labelSelector: { matchLabels: { app: 'web' }, matchExpressions: null },
        ttl: '720h0m0s',
        snapshotVolumes: false,
      },
      status: { phase: 'FinalizingPartiallyFailed', startTimestamp: '2025-01-01T00:00:00Z', failureReason: '' },
    });
    const backup = backupFromVelero(meta, 'oss');
    expect(backup.spec).toEqual({
      cluster: '',
      vault: 'oss',
      backupType: 'AppBackup',
      includedNamespaces: ['*'],
      labelSelector: { matchLabels: { app: 'web' } },
      ttl: '720h0m0s',
    });
    expect(backup.status.phase).toBe('InProgress');
    expect(backup.status.expiration).toBe('2025-01-31T00:00:00.000Z');
    expect(backup.status.failureReason).toBeNull();
  });

  it('folds every Velero phase into the four task phases', () => {
    expect(phaseFromVelero('Completed')).toBe('Completed');
    expect(phaseFromVelero('PartiallyFailed')).toBe('PartiallyFailed');
    expect(phaseFromVelero('FailedValidation')).toBe('Failed');
    expect(phaseFromVelero('Failed')).toBe('Failed');
    for (const p of ['New', 'InProgress', 'WaitingForPluginOperations', 'Finalizing', 'Deleting', null, undefined]) {
      expect(phaseFromVelero(p)).toBe('InProgress');
    }
  });

  it('lists every result message', () => {
    expect(
      issuesFromResult({ velero: ['v'], cluster: ['c'], namespaces: { a: ['x', 'y'] } }, 'Warning').map(
        (i) => i.message,
      ),
    ).toEqual(['v', 'c', 'namespace a: x', 'namespace a: y']);
    expect(issuesFromResult(undefined, 'X')).toEqual([]);
  });
});

describe('ResourceItemCollector', () => {
  it('yields one item per object, in its preferred version, with the resource from the archive path', async () => {
    const writer = new ArchiveWriter({ mtime: new Date(0) });
    const chunks: Buffer[] = [];
    writer.stream.on('data', (c: Buffer) => chunks.push(c));
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } };
    const widget = (v: string) => ({
      apiVersion: `example.com/${v}`,
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop' },
    });
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } };
    const ref = (group: string, version: string, resource: string, name: string, namespace?: string) => ({
      group,
      version,
      resource,
      name,
      ...(namespace ? { namespace } : {}),
    });
    await writer.addObject(ref('apps', 'v1', 'deployments', 'web', 'shop'), deploy, { preferred: true });
    await writer.addObject(ref('example.com', 'v1', 'widgets', 'w', 'shop'), widget('v1'), { preferred: true });
    await writer.addObject(ref('example.com', 'v1beta1', 'widgets', 'w', 'shop'), widget('v1beta1'), {
      preferred: false,
    });
    await writer.addObject(ref('', 'v1', 'namespaces', 'shop'), ns, { preferred: true });
    await writer.finish();

    const { Readable } = await import('node:stream');
    const collector = new ResourceItemCollector();
    const items = [];
    for await (const entry of readArchive(Readable.from([Buffer.concat(chunks)]))) {
      const item = collector.add(entry);
      if (item) items.push(item);
    }
    expect(items).toEqual([
      { group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' },
      { group: 'example.com', version: 'v1', resource: 'widgets', namespace: 'shop', name: 'w' },
      { group: '', version: 'v1', resource: 'namespaces', name: 'shop' },
    ]);
  });
});

describe('GET /v1/backups helpers', () => {
  const backup = (name: string, phase: Backup['status']['phase'], start: string, cluster = 'a'): Backup => ({
    name,
    spec: { cluster, vault: 'v', backupType: 'AppBackup', ttl: '720h0m0s' },
    status: {
      phase,
      startTimestamp: start,
      completionTimestamp: null,
      expiration: null,
      errors: [],
      warnings: [],
      failureReason: null,
      progress: { totalItems: 0, itemsBackedUp: 0 },
      links: { temporalUi: null },
    },
  });

  it('queries running and failed backup workflows with the filters', () => {
    expect(backupListQuery({ cluster: 'a', vault: 'v' }, 'running')).toBe(
      'BackupCenterTaskType="Backup" AND ExecutionStatus="Running" AND BackupCenterCluster="a" AND BackupCenterVault="v"',
    );
    expect(backupListQuery({}, 'failed')).toBe(
      'BackupCenterTaskType="Backup" AND ExecutionStatus IN ("Failed", "Terminated", "Canceled", "TimedOut")',
    );
  });

  it('merges by name: running over vault over failed, newest first', () => {
    const merged = mergeBackups(
      [backup('b', 'InProgress', '2025-01-03')],
      [
        backup('a', 'Completed', '2025-01-01'),
        backup('b', 'Completed', '2025-01-03'),
        backup('c', 'Completed', '2025-01-02'),
      ],
      [backup('c', 'Failed', '2025-01-05'), backup('d', 'Failed', '2025-01-04')],
    );
    expect(merged.map((b) => `${b.name}:${b.status.phase}`)).toEqual([
      'd:Failed',
      'b:InProgress',
      'c:Completed',
      'a:Completed',
    ]);
  });

  it('filters by cluster, vault and phase', () => {
    const b = backup('x', 'Completed', '2025-01-01', 'a');
    expect(matchesListQuery(b, {})).toBe(true);
    expect(matchesListQuery(b, { cluster: 'b' })).toBe(false);
    expect(matchesListQuery(b, { vault: 'v', phase: 'Completed' })).toBe(true);
    expect(matchesListQuery(b, { phase: 'Failed' })).toBe(false);
  });
});

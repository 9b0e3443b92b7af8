import { describe, expect, it } from 'vitest';
import {
  BackupAnnotation,
  deletedByCluster,
  isRestorable,
  newBackupMetadata,
  parseBackupMetadata,
  serializeBackupMetadata,
  withDeletedMark,
} from './backup-metadata.js';

// The example of Velero's "Output file format" documentation, as a Velero-made document.
const veleroDocsExample = {
  kind: 'Backup',
  apiVersion: 'velero.io/v1',
  metadata: {
    name: 'test-backup',
    namespace: 'velero',
    selfLink: '/apis/velero.io/v1/namespaces/velero/backups/test-backup',
    uid: 'a12345cb-75f5-11e7-b4c2-abcdef123456',
    resourceVersion: '337075',
    creationTimestamp: '2017-07-31T13:39:15Z',
  },
  spec: {
    includedNamespaces: ['*'],
    excludedNamespaces: null,
    includedResources: ['*'],
    excludedResources: null,
    labelSelector: null,
    snapshotVolumes: true,
    ttl: '24h0m0s',
  },
  status: {
    version: 1,
    formatVersion: '1.1.0',
    expiration: '2017-08-01T13:39:15Z',
    phase: 'Completed',
    volumeBackups: { 'pvc-e1e2d345': { snapshotID: 'snap-04b1a8e11dfb33ab0', type: 'gp2', iops: 100 } },
    validationErrors: null,
  },
};

describe('velero-backup.json', () => {
  const ours = newBackupMetadata({
    name: 'nightly-1',
    storageLocation: 'vault-a',
    cluster: 'prod',
    backupType: 'application',
    spec: { includedNamespaces: ['shop'], includeClusterResources: false, ttl: '720h0m0s' },
    phase: 'PartiallyFailed',
    startTimestamp: '2024-05-01T10:00:00.123Z',
    completionTimestamp: new Date('2024-05-01T10:05:00Z'),
    expiration: '2024-05-31T10:05:00Z',
    progress: { totalItems: 10, itemsBackedUp: 9 },
    errors: 1,
    warnings: 0,
  });

  it('is a Velero Backup object with our facts in annotations', () => {
    expect(ours).toEqual({
      apiVersion: 'velero.io/v1',
      kind: 'Backup',
      metadata: {
        name: 'nightly-1',
        namespace: 'velero',
        labels: { 'velero.io/storage-location': 'vault-a' },
        annotations: { 'backup-center.io/cluster': 'prod', 'backup-center.io/backup-type': 'application' },
      },
      spec: {
        includedNamespaces: ['shop'],
        includeClusterResources: false,
        ttl: '720h0m0s',
        storageLocation: 'vault-a',
      },
      status: {
        version: 1,
        formatVersion: '1.1.0',
        phase: 'PartiallyFailed',
        startTimestamp: '2024-05-01T10:00:00Z',
        completionTimestamp: '2024-05-01T10:05:00Z',
        expiration: '2024-05-31T10:05:00Z',
        progress: { totalItems: 10, itemsBackedUp: 9 },
        errors: 1,
        warnings: 0,
      },
    });
  });

  it('reads back what it writes', () => {
    expect(parseBackupMetadata(JSON.parse(serializeBackupMetadata(ours)))).toEqual(ours);
  });

  it("reads Velero's own documents and keeps the fields it does not model", () => {
    const parsed = parseBackupMetadata(veleroDocsExample);
    expect(parsed.status.phase).toBe('Completed');
    expect(parsed.spec.ttl).toBe('24h0m0s');
    const rewritten = JSON.parse(serializeBackupMetadata(withDeletedMark(parsed, 'other-cluster')));
    expect(rewritten.status.volumeBackups).toEqual(veleroDocsExample.status.volumeBackups);
    expect(rewritten.spec.snapshotVolumes).toBe(true);
    expect(rewritten.metadata.uid).toBe(veleroDocsExample.metadata.uid);
    expect(rewritten.metadata.annotations).toEqual({ [BackupAnnotation.deletedByCluster]: 'other-cluster' });
  });

  it('refuses documents that are not a velero.io/v1 Backup, naming the field', () => {
    expect(() => parseBackupMetadata({ ...veleroDocsExample, kind: 'Restore' })).toThrow(/kind/);
    expect(() => parseBackupMetadata({ ...veleroDocsExample, metadata: {} })).toThrow(/metadata\.name/);
    expect(() => parseBackupMetadata('not an object')).toThrow(/invalid velero-backup.json/);
  });

  it('offers only finished, successful-enough and undeleted backups for restore', () => {
    const at = (phase: 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed') =>
      newBackupMetadata({
        name: 'b',
        storageLocation: 'v',
        cluster: 'c',
        phase,
        startTimestamp: '2024-01-01T00:00:00Z',
      });
    expect(isRestorable(at('Completed'))).toBe(true);
    expect(isRestorable(at('PartiallyFailed'))).toBe(true);
    expect(isRestorable(at('InProgress'))).toBe(false);
    expect(isRestorable(at('Failed'))).toBe(false);
    const deleted = withDeletedMark(at('Completed'), 'c2');
    expect(deletedByCluster(deleted)).toBe('c2');
    expect(isRestorable(deleted)).toBe(false);
  });

  it('refuses an unreadable timestamp instead of writing garbage', () => {
    expect(() =>
      newBackupMetadata({
        name: 'b',
        storageLocation: 'v',
        cluster: 'c',
        phase: 'Completed',
        startTimestamp: 'yesterday',
      }),
    ).toThrow(/invalid timestamp/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  archiveItemPath,
  archiveItemPaths,
  parseArchivePath,
  VaultLayout,
  VELERO_TOP_LEVEL_DIRS,
  type ArchiveItemPath,
} from './layout.js';

describe('object keys', () => {
  const layout = new VaultLayout('/team-a/vault/');

  it('follows Velero object_store_layout.go under the vault prefix', () => {
    expect(layout.root).toBe('team-a/vault/');
    expect(layout.backupKey('b1', 'metadata')).toBe('team-a/vault/backups/b1/velero-backup.json');
    expect(layout.backupKey('b1', 'contents')).toBe('team-a/vault/backups/b1/b1.tar.gz');
    expect(layout.backupKey('b1', 'resourceList')).toBe('team-a/vault/backups/b1/b1-resource-list.json.gz');
    expect(layout.backupKey('b1', 'results')).toBe('team-a/vault/backups/b1/b1-results.gz');
    expect(layout.backupKey('b1', 'logs')).toBe('team-a/vault/backups/b1/b1-logs.gz');
    expect(layout.backupKey('b1', 'volumeSnapshots')).toBe('team-a/vault/backups/b1/b1-volumesnapshots.json.gz');
    expect(layout.backupKey('b1', 'itemOperations')).toBe('team-a/vault/backups/b1/b1-itemoperations.json.gz');
    expect(layout.restoreKey('r1', 'results')).toBe('team-a/vault/restores/r1/restore-r1-results.gz');
    expect(layout.restoreKey('r1', 'logs')).toBe('team-a/vault/restores/r1/restore-r1-logs.gz');
    expect(layout.restoreKey('r1', 'items')).toBe('team-a/vault/restores/r1/restore-r1-items.json.gz');
  });

  it('puts keys at the bucket root for an empty or "/" prefix', () => {
    expect(new VaultLayout('/').backupKey('b1', 'metadata')).toBe('backups/b1/velero-backup.json');
    expect(new VaultLayout('').restoreDir('r1')).toBe('restores/r1/');
  });

  it('keeps the vault marker inside a directory Velero accepts', () => {
    const top = layout.markerKey().slice(layout.root.length).split('/')[0]!;
    expect(VELERO_TOP_LEVEL_DIRS).toContain(top);
  });

  it('refuses names that would add or climb path segments', () => {
    for (const bad of ['a/b', '..', '.', '', 'UPPER', 'x'.repeat(254)]) {
      expect(() => layout.backupDir(bad)).toThrow(/invalid backup name/);
      expect(() => layout.restoreKey(bad, 'logs')).toThrow(/invalid restore name/);
    }
  });

  it('names the child of a listed common prefix', () => {
    expect(layout.childName(layout.backupsDir(), 'team-a/vault/backups/b1/')).toBe('b1');
    expect(layout.childName(layout.backupsDir(), 'team-a/vault/restores/r1/')).toBeUndefined();
  });
});

describe('archive paths', () => {
  it('stores the preferred version at the legacy path and at <v>-preferredversion, in that order', () => {
    expect(
      archiveItemPaths({ group: 'apps', version: 'v1', resource: 'deployments', namespace: 'shop', name: 'web' }, true),
    ).toEqual([
      'resources/deployments.apps/namespaces/shop/web.json',
      'resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json',
    ]);
  });

  it('stores any other served version only under its version directory', () => {
    expect(
      archiveItemPaths(
        { group: 'apps', version: 'v1beta2', resource: 'deployments', namespace: 'shop', name: 'web' },
        false,
      ),
    ).toEqual(['resources/deployments.apps/v1beta2/namespaces/shop/web.json']);
  });

  it('uses the bare resource for the core group and `cluster` for cluster-scoped objects', () => {
    expect(archiveItemPaths({ group: '', version: 'v1', resource: 'persistentvolumes', name: 'pv-1' }, true)).toEqual([
      'resources/persistentvolumes/cluster/pv-1.json',
      'resources/persistentvolumes/v1-preferredversion/cluster/pv-1.json',
    ]);
  });

  it('parses every path form back', () => {
    expect(parseArchivePath('resources/deployments.apps/namespaces/shop/web.json')).toEqual({
      groupResource: 'deployments.apps',
      version: undefined,
      preferred: true,
      namespace: 'shop',
      name: 'web',
    });
    expect(parseArchivePath('resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json')).toEqual({
      groupResource: 'deployments.apps',
      version: 'v1',
      preferred: true,
      namespace: 'shop',
      name: 'web',
    });
    expect(parseArchivePath('resources/deployments.apps/v1beta2/namespaces/shop/web.json')).toEqual({
      groupResource: 'deployments.apps',
      version: 'v1beta2',
      preferred: false,
      namespace: 'shop',
      name: 'web',
    });
    expect(parseArchivePath('resources/namespaces/v1-preferredversion/cluster/shop.json')).toEqual({
      groupResource: 'namespaces',
      version: 'v1',
      preferred: true,
      name: 'shop',
    });
  });

  it('handles names that look like layout words and dotted names', () => {
    // A namespace called "cluster" and a ConfigMap with dots in its name.
    expect(parseArchivePath('./resources/configmaps/namespaces/cluster/kube-root-ca.crt.json')).toEqual({
      groupResource: 'configmaps',
      version: undefined,
      preferred: true,
      namespace: 'cluster',
      name: 'kube-root-ca.crt',
    });
  });

  it('does not take other entries for objects', () => {
    for (const p of [
      'metadata/version',
      'resources/pods/namespaces/shop',
      'resources/pods/namespaces/shop/web.yaml',
      'resources/pods/v1/namespaces/shop/extra/web.json',
      'resources/pods/../cluster/x.json',
      'resources/pods/-preferredversion/cluster/x.json',
      'resources/pods/cluster/.json',
    ]) {
      expect(parseArchivePath(p), p).toBeUndefined();
    }
  });

  it('refuses object names that would escape their directory', () => {
    const base = { groupResource: 'pods', version: 'v1', preferred: false, namespace: 'shop' };
    expect(() => archiveItemPath({ ...base, name: '../../etc/passwd' })).toThrow(/invalid object/);
    expect(() => archiveItemPath({ ...base, name: '..' })).toThrow(/invalid object/);
    expect(() => archiveItemPath({ ...base, namespace: 'a/b', name: 'x' })).toThrow(/invalid namespace/);
  });

  it('round-trips any valid item (property)', () => {
    const segment = fc.stringMatching(/^[a-z0-9][-a-z0-9.:]{0,40}$/).filter((s) => s !== '.' && s !== '..');
    const item = fc.record({
      groupResource: segment,
      version: fc.option(fc.stringMatching(/^v[0-9](alpha|beta)?[0-9]?$/), { nil: undefined }),
      preferred: fc.boolean(),
      namespace: fc.option(segment, { nil: undefined }),
      name: segment,
    });
    fc.assert(
      fc.property(item, (i) => {
        const expected: ArchiveItemPath = { ...i, preferred: i.version === undefined ? true : i.preferred };
        if (expected.namespace === undefined) delete expected.namespace;
        expect(parseArchivePath(archiveItemPath(i))).toEqual(expected);
      }),
    );
  });
});

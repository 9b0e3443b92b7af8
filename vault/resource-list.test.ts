import { describe, expect, it } from 'vitest';
import { parseResourceList, parseResourceListKey, ResourceListBuilder } from './resource-list.js';

describe('resource list', () => {
  it("groups items by Velero's <group>/<version>/<Kind> key, sorted and without duplicates", () => {
    const list = new ResourceListBuilder();
    list.add({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
    list.add({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'blog', name: 'web' });
    list.add({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
    list.add({ group: '', version: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'cfg' });
    list.add({ group: '', version: 'v1', kind: 'PersistentVolume', name: 'pv-1' });
    expect(list.build()).toEqual({
      'apps/v1/Deployment': ['blog/web', 'shop/web'],
      'v1/ConfigMap': ['shop/cfg'],
      'v1/PersistentVolume': ['pv-1'],
    });
  });

  it('parses keys back, the core group having none', () => {
    expect(parseResourceListKey('apps/v1/Deployment')).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(parseResourceListKey('v1/Secret')).toEqual({ group: '', version: 'v1', kind: 'Secret' });
    expect(parseResourceListKey('Secret')).toBeUndefined();
  });

  it('refuses a document of another shape', () => {
    expect(parseResourceList({ 'v1/Secret': ['a/b'] })).toEqual({ 'v1/Secret': ['a/b'] });
    expect(() => parseResourceList({ 'v1/Secret': 'a/b' })).toThrow(/invalid resource list/);
  });
});

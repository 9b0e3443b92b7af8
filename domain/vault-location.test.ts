import { describe, expect, it } from 'vitest';
import { describeLocation, locationConflict, vaultLocation } from './vault-location.js';

describe('vault locations', () => {
  const root = '/srv/vaults';

  it('resolves relative filesystem paths under the vault root and normalizes slashes', () => {
    expect(vaultLocation({ backend: 'filesystem', path: 'team-a' }, root)).toEqual({
      store: 'filesystem',
      prefix: 'srv/vaults/team-a',
    });
    expect(vaultLocation({ backend: 'filesystem', path: '/data//x/' }, `${root}/`)).toEqual({
      store: 'filesystem',
      prefix: 'data/x',
    });
    expect(vaultLocation({ backend: 'oss', bucket: 'cnfs-oss-a', prefix: '/A/' }, root)).toEqual({
      store: 'oss:cnfs-oss-a',
      prefix: 'A',
    });
    expect(vaultLocation({ backend: 's3', bucket: 'b', endpoint: 'http://minio:9000/' }, root)).toEqual({
      store: 's3:http://minio:9000/b',
      prefix: '',
    });
  });

  it('refuses the FAQ examples in one bucket: / with /A, /A with /A/B, and the same prefix twice', () => {
    const live = [{ name: 'outer', location: { store: 'oss:b', prefix: 'A' } }];
    expect(locationConflict({ store: 'oss:b', prefix: '' }, live)).toMatch(
      /^oss:b\/ is a parent directory of oss:b\/A, the location of vault outer/,
    );
    expect(locationConflict({ store: 'oss:b', prefix: 'A/B' }, live)).toMatch(
      /^oss:b\/A\/B is inside oss:b\/A, the location of vault outer/,
    );
    expect(locationConflict({ store: 'oss:b', prefix: 'A' }, live)).toBe(
      'oss:b/A is already the location of vault outer',
    );
  });

  it('allows siblings, look-alike names and other buckets', () => {
    const live = [{ name: 'outer', location: { store: 'oss:b', prefix: 'A' } }];
    expect(locationConflict({ store: 'oss:b', prefix: 'B' }, live)).toBeUndefined();
    expect(locationConflict({ store: 'oss:b', prefix: 'AB' }, live)).toBeUndefined();
    expect(locationConflict({ store: 'oss:other', prefix: 'A' }, live)).toBeUndefined();
    expect(locationConflict({ store: 'filesystem', prefix: 'A' }, live)).toBeUndefined();
  });

  it('shows filesystem locations as paths', () => {
    expect(describeLocation({ store: 'filesystem', prefix: 'srv/vaults/a' })).toBe('/srv/vaults/a');
  });
});

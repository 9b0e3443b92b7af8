import { describe, expect, it } from 'vitest';
import { VaultCreateSchema } from './vault.js';
import {
  describeLocation,
  endpointRefusal,
  locationConflict,
  rootConfinement,
  vaultLocation,
} from './vault-location.js';

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

describe('rootConfinement', () => {
  it('accepts a directory strictly inside one of the roots, by whole segments', () => {
    expect(rootConfinement('/data/vaults/a', ['/data/vaults'])).toBeUndefined();
    expect(rootConfinement('/mnt/b/x/y', ['/data/vaults', '/mnt/b/'])).toBeUndefined();
  });

  it('refuses the root itself, a sibling with the same leading characters, and anything else', () => {
    for (const path of ['/data/vaults', '/data/vaults-other/a', '/etc', '/']) {
      expect(rootConfinement(path, ['/data/vaults']), path).toMatch(
        /inside the vault root \/data\/vaults; .*allowedVaultRoots/,
      );
    }
  });
});

describe('endpointRefusal', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data',
    'http://169.254.0.1:9000',
    'http://100.100.100.200/latest/meta-data', // Alibaba Cloud's metadata service
    'http://2852039166/', // 169.254.169.254 written as one number
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://[fd00:ec2::254]/',
    'http://[FD00:EC2:0:0::1]',
    'http://[::ffff:169.254.169.254]/',
    'http://[fe80::1]/',
  ])('refuses %s, naming the host', (endpoint) => {
    expect(endpointRefusal(endpoint)).toMatch(
      /^must not be a link-local or cloud metadata address .*: \S+; .*allowedVaultEndpoints/,
    );
  });

  it.each([
    'https://s3.amazonaws.com',
    'http://127.0.0.1:9000',
    'http://169.255.0.1',
    'http://[fd00:ec3::1]',
    'http://[::1]',
  ])('accepts %s', (endpoint) => expect(endpointRefusal(endpoint)).toBeUndefined());

  it('accepts a refused host the configuration allows, written as a host or a URL', () => {
    expect(endpointRefusal('http://169.254.170.2/v2', ['169.254.170.2'])).toBeUndefined();
    expect(endpointRefusal('http://[fd00:ec2::254]:80', ['http://[fd00:ec2::254]'])).toBeUndefined();
    expect(endpointRefusal('http://169.254.169.254', ['169.254.170.2'])).toBeDefined();
  });
});

describe("VaultCreateSchema: filesystem paths with '.' segments", () => {
  it.each(['.', './a', 'a/.', 'a/./b', '..', 'a/..'])('refuses %j naming path', (path) => {
    const result = VaultCreateSchema.safeParse({ name: 'v', backend: 'filesystem', path });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['path']]);
  });
});

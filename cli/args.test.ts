import { describe, expect, it } from 'vitest';
import {
  UsageError,
  backupCreateBody,
  checkFlags,
  conversionCreateBody,
  parseCommandLine,
  parseInterval,
  parseList,
  parseMapping,
  restoreCreateBody,
  scheduleCreateBody,
  vaultCreateBody,
} from './args.js';

describe('parseCommandLine', () => {
  it('splits words and flags', () => {
    const { words, flags } = parseCommandLine([
      'backup',
      'create',
      'nginx-1',
      '--cluster',
      'a',
      '--include-namespaces',
      'x,y',
      '--include-namespaces=z',
      '-l',
      'app=web',
      '--wait',
    ]);
    expect(words).toEqual(['backup', 'create', 'nginx-1']);
    expect(flags).toMatchObject({ cluster: 'a', 'include-namespaces': ['x,y', 'z'], selector: 'app=web', wait: true });
  });

  it("takes velero's --include-cluster-resources=true|false", () => {
    expect(backupCreateBody('b', parseCommandLine(['--include-cluster-resources=false']).flags)).toEqual({
      name: 'b',
      includeClusterResources: false,
    });
    expect(backupCreateBody('b', parseCommandLine(['--include-cluster-resources']).flags)).toEqual({
      name: 'b',
      includeClusterResources: true,
    });
  });

  it('refuses unknown flags as a usage error', () => {
    expect(() => parseCommandLine(['backup', 'get', '--colour', 'red'])).toThrow(UsageError);
  });

  it('refuses flags a command does not take', () => {
    const { flags } = parseCommandLine(['--from-backup', 'x', '--token', 't']);
    expect(() => checkFlags('backup get', flags, ['cluster'])).toThrow('backup get does not take --from-backup');
    expect(() => checkFlags('restore create', flags, ['from-backup'])).not.toThrow();
  });
});

describe('request bodies', () => {
  it('backup create', () => {
    const { flags } = parseCommandLine([
      '--cluster',
      'a',
      '--vault',
      'v',
      '--include-namespaces',
      'x, y',
      '--exclude-resources',
      'secrets',
      '--or-selector',
      'app=a,tier=b',
      '--or-selector',
      'app=c',
      '--ttl',
      '24h',
    ]);
    expect(backupCreateBody('nginx-1', flags)).toEqual({
      name: 'nginx-1',
      cluster: 'a',
      vault: 'v',
      includedNamespaces: ['x', 'y'],
      excludedResources: ['secrets'],
      orLabelSelectors: ['app=a,tier=b', 'app=c'],
      ttl: '24h',
    });
  });

  it('restore create with mappings', () => {
    const { flags } = parseCommandLine([
      '--from-backup',
      'nginx-1',
      '--cluster',
      'b',
      '--namespace-mappings',
      'a:b,c:d',
      '--storage-class-mappings',
      'ssd:disk',
      '--existing-resource-policy',
      'update',
      '--preserve-nodeports',
    ]);
    expect(restoreCreateBody('r1', flags)).toEqual({
      name: 'r1',
      backupName: 'nginx-1',
      cluster: 'b',
      namespaceMapping: { a: 'b', c: 'd' },
      storageClassMapping: { ssd: 'disk' },
      existingResourcePolicy: 'update',
      preserveNodePorts: true,
    });
  });

  it('schedule create puts the backup flags in the template', () => {
    const { flags } = parseCommandLine(['--schedule', '6h30m', '--cluster', 'a', '--vault', 'v', '--paused']);
    expect(scheduleCreateBody('nightly', flags)).toEqual({
      name: 'nightly',
      schedule: '6h30m',
      paused: true,
      template: { cluster: 'a', vault: 'v' },
    });
  });

  it('vault create and conversion create', () => {
    expect(vaultCreateBody('v', parseCommandLine(['--backend', 'filesystem', '--path', 'p']).flags)).toEqual({
      name: 'v',
      backend: 'filesystem',
      path: 'p',
    });
    const flags = parseCommandLine([
      '--backend',
      's3',
      '--bucket',
      'b',
      '--endpoint',
      'http://s3.local:7070',
      '--path-style',
      '--encryption-key-ref',
      'team-a',
      '--server-side-encryption',
      'kms',
      '--sse-key-id',
      'k-1',
      '--immutable-days',
      '30',
      '--immutable-mode',
      'governance',
    ]).flags;
    expect(vaultCreateBody('v', flags)).toEqual({
      name: 'v',
      backend: 's3',
      bucket: 'b',
      endpoint: 'http://s3.local:7070',
      pathStyle: true,
      encryption: { keyRef: 'team-a' },
      serverSideEncryption: { type: 'kms', keyId: 'k-1' },
      immutable: { days: 30, mode: 'governance' },
    });
    expect(vaultCreateBody('v', parseCommandLine(['--immutable-days', 'soon']).flags).immutable).toEqual({
      days: 'soon',
    });
    expect(
      conversionCreateBody('b', parseCommandLine(['--cluster', 'a', '--storage-class-mappings', 'x:y']).flags),
    ).toEqual({ backupName: 'b', cluster: 'a', storageClassMapping: { x: 'y' } });
  });
});

describe('small parsers', () => {
  it('parseList', () => {
    expect(parseList(undefined)).toBeUndefined();
    expect(parseList(['a,b', ' c ', ''])).toEqual(['a', 'b', 'c']);
  });

  it('parseMapping refuses what is not from:to', () => {
    expect(parseMapping('m', ['a:b'])).toEqual({ a: 'b' });
    for (const bad of ['a', ':b', 'a:', 'a:b:c']) {
      expect(() => parseMapping('namespace-mappings', [bad]), bad).toThrow(
        /--namespace-mappings: .* is not <from>:<to>/,
      );
    }
  });

  it('parseInterval', () => {
    expect(parseInterval(undefined, 1000)).toBe(1000);
    expect(parseInterval('2s', 1000)).toBe(2000);
    expect(parseInterval('250ms', 1000)).toBe(250);
    expect(() => parseInterval('10ms', 1000)).toThrow(UsageError);
    expect(() => parseInterval('soon', 1000)).toThrow(UsageError);
  });
});

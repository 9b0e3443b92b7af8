import { describe, expect, it } from 'vitest';
import { validateLabelSelector } from '../domain/label-selector.js';
import { LabelSelectorSchema, NameSchema } from '../domain/values.js';
import { BackupCreateSchema, DEFAULT_BACKUP_TTL } from '../domain/backup.js';
import { ConversionCreateSchema } from '../domain/conversion.js';
import { DeleteRequestCreateSchema } from '../domain/delete-request.js';
import { RestoreCreateSchema, imageMappingProblem } from '../domain/restore.js';
import { ScheduleCreateSchema } from '../domain/backup-plan.js';
import { VaultCreateSchema } from '../domain/vault.js';
import { validate } from '../domain/validation.js';
import type { z } from 'zod';

function errorsOf(schema: z.ZodType, input: unknown): Array<{ path: string; message: string }> {
  const r = validate(schema, input);
  return r.success ? [] : r.errors;
}
function pathsOf(schema: z.ZodType, input: unknown): string[] {
  return errorsOf(schema, input).map((e) => e.path);
}

describe('names', () => {
  it.each(['a', 'nginx-backup', '0', 'a1-b2', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(NameSchema.safeParse(name).success).toBe(true);
  });
  it.each(['', 'A', '-a', 'a-', 'a_b', 'a.b', 'x'.repeat(64), 'ä'])('refuses %j', (name) => {
    expect(NameSchema.safeParse(name).success).toBe(false);
  });
});

describe('VaultCreate', () => {
  it('accepts each backend with its fields', () => {
    expect(validate(VaultCreateSchema, { name: 'local', backend: 'filesystem', path: '/var/backups' }).success).toBe(
      true,
    );
    expect(
      validate(VaultCreateSchema, {
        name: 'oss',
        backend: 'oss',
        bucket: 'cnfs-oss-x',
        region: 'cn-hangzhou',
        prefix: 'a/b',
        network: 'public',
      }).success,
    ).toBe(true);
    expect(
      validate(VaultCreateSchema, {
        name: 's3',
        backend: 's3',
        bucket: 'my.bucket',
        endpoint: 'http://127.0.0.1:9000',
        region: 'us-east-1',
      }).success,
    ).toBe(true);
  });

  it('requires what each backend needs', () => {
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 'filesystem' })).toEqual(['path']);
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 'oss' })).toEqual(['bucket', 'region']);
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 's3' })).toEqual(['bucket']);
    expect(errorsOf(VaultCreateSchema, { name: 'v', backend: 'oss' })[0]?.message).toBe(
      'is required for the oss backend',
    );
  });

  it('refuses fields a backend does not use', () => {
    expect(
      pathsOf(VaultCreateSchema, { name: 'v', backend: 'filesystem', path: '/x', bucket: 'b', network: 'public' }),
    ).toEqual(['bucket', 'network']);
    expect(
      pathsOf(VaultCreateSchema, { name: 'v', backend: 's3', bucket: 'bkt', network: 'internal', path: '/x' }),
    ).toEqual(['path', 'network']);
  });

  it('takes client-side encryption on every backend, server-side encryption and immutability on buckets only', () => {
    const s3 = { name: 'v', backend: 's3', bucket: 'bkt' };
    expect(
      validate(VaultCreateSchema, {
        ...s3,
        encryption: { keyRef: 'backups' },
        serverSideEncryption: { type: 'kms', keyId: 'k-1' },
        immutable: { days: 30, mode: 'governance' },
      }).success,
    ).toBe(true);
    expect(
      validate(VaultCreateSchema, { name: 'v', backend: 'filesystem', path: '/x', encryption: { keyRef: 'k' } })
        .success,
    ).toBe(true);
    expect(
      errorsOf(VaultCreateSchema, { name: 'v', backend: 'filesystem', path: '/x', immutable: { days: 1 } })[0]?.message,
    ).toMatch(/^is not available for the filesystem backend: a local directory cannot enforce retention/);
    expect(pathsOf(VaultCreateSchema, { ...s3, serverSideEncryption: { type: 'oss', keyId: 'k' } })).toEqual([
      'serverSideEncryption.keyId',
    ]);
    expect(pathsOf(VaultCreateSchema, { ...s3, immutable: { days: 0 } })).toEqual(['immutable.days']);
    expect(pathsOf(VaultCreateSchema, { ...s3, encryption: { keyRef: '../etc/passwd' } })).toEqual([
      'encryption.keyRef',
    ]);
    expect(
      pathsOf(VaultCreateSchema, {
        name: 'v',
        backend: 'oss',
        bucket: 'cnfs-oss-x',
        region: 'cn-hangzhou',
        immutable: { days: 7, mode: 'compliance' },
      }),
    ).toEqual(['immutable.mode']);
  });

  it('lists every invalid field at once, unknown fields included', () => {
    const errors = errorsOf(VaultCreateSchema, {
      name: 'Bad_Name',
      backend: 'oss',
      bucket: 'B',
      region: 'Hangzhou',
      extra: 1,
    });
    expect(errors.map((e) => e.path).sort()).toEqual(['bucket', 'extra', 'name', 'region']);
    expect(errors.find((e) => e.path === 'extra')?.message).toBe('unknown field');
  });

  it('checks path, prefix and endpoint', () => {
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 'filesystem', path: '/a/../b' })).toEqual(['path']);
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 's3', bucket: 'bkt', prefix: 'a//b' })).toEqual(['prefix']);
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 's3', bucket: 'bkt', prefix: '/a/b/' })).toEqual([]);
    expect(pathsOf(VaultCreateSchema, { name: 'v', backend: 's3', bucket: 'bkt', endpoint: 'ftp://x' })).toEqual([
      'endpoint',
    ]);
  });

  it('names a missing backend as required', () => {
    expect(errorsOf(VaultCreateSchema, { name: 'v' })).toEqual([{ path: 'backend', message: 'is required' }]);
  });
});

describe('BackupCreate', () => {
  const base = { name: 'b1', cluster: 'c1', vault: 'v1' };

  it('fills defaults', () => {
    const r = validate(BackupCreateSchema, base);
    expect(r).toEqual({ success: true, data: { ...base, backupType: 'AppBackup', ttl: DEFAULT_BACKUP_TTL } });
    expect(DEFAULT_BACKUP_TTL).toBe('720h0m0s');
  });

  it('accepts the full spec', () => {
    const r = validate(BackupCreateSchema, {
      ...base,
      backupType: 'AppAndPvBackup',
      includedNamespaces: ['default', 'app-*'],
      excludedNamespaces: ['kube-system'],
      includedResources: ['deployments.apps', 'configmaps'],
      excludedResources: ['events'],
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }],
      },
      includeClusterResources: false,
      ttl: '72h',
    });
    expect(r.success).toBe(true);
  });

  it('accepts a label selector string and orLabelSelectors', () => {
    expect(
      validate(BackupCreateSchema, { ...base, labelSelector: 'app=web,tier in (a, b),!canary,env!=prod' }).success,
    ).toBe(true);
    expect(
      validate(BackupCreateSchema, { ...base, orLabelSelectors: ['app=a', { matchLabels: { app: 'b' } }] }).success,
    ).toBe(true);
  });

  it('applies Velero consistency rules', () => {
    expect(errorsOf(BackupCreateSchema, { ...base, labelSelector: 'a=b', orLabelSelectors: ['c=d'] })).toEqual([
      { path: 'orLabelSelectors', message: 'only one of labelSelector and orLabelSelectors can be set' },
    ]);
    expect(
      pathsOf(BackupCreateSchema, { ...base, includedNamespaces: ['a'], excludedNamespaces: ['b', 'a', '*'] }),
    ).toEqual(['excludedNamespaces.1', 'excludedNamespaces.2']);
    expect(pathsOf(BackupCreateSchema, { ...base, includedResources: ['pods'], excludedResources: ['pods'] })).toEqual([
      'excludedResources.0',
    ]);
  });

  it('explains bad label selectors at the right path', () => {
    expect(errorsOf(BackupCreateSchema, { ...base, labelSelector: 'app in ()' })).toEqual([
      {
        path: 'labelSelector',
        message: 'invalid label selector "app in ()": "app in ()": \'in\' needs at least one value',
      },
    ]);
    expect(
      pathsOf(BackupCreateSchema, { ...base, labelSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }),
    ).toEqual(['labelSelector.matchExpressions.0.values']);
    expect(pathsOf(BackupCreateSchema, { ...base, labelSelector: { matchLabels: { 'bad key!': 'v' } } })).toEqual([
      'labelSelector.matchLabels["bad key!"]',
    ]);
    expect(errorsOf(BackupCreateSchema, { ...base, labelSelector: 42 })[0]?.message).toContain(
      'expected a label selector string',
    );
  });

  it('checks ttl and backupType', () => {
    expect(pathsOf(BackupCreateSchema, { ...base, ttl: '30d' })).toEqual(['ttl']);
    expect(errorsOf(BackupCreateSchema, { ...base, ttl: '-1h' })).toEqual([
      { path: 'ttl', message: 'must be positive' },
    ]);
    expect(pathsOf(BackupCreateSchema, { ...base, backupType: 'Full' })).toEqual(['backupType']);
  });

  it('lists every invalid field even when the type is wrong in places', () => {
    const errors = errorsOf(BackupCreateSchema, {
      name: 'X',
      cluster: 5,
      excludedNamespaces: 'ns',
      includedResources: [1],
      ttl: 'soon',
    });
    expect(errors.map((e) => e.path).sort()).toEqual([
      'cluster',
      'excludedNamespaces',
      'includedResources.0',
      'name',
      'ttl',
      'vault',
    ]);
    expect(errors.find((e) => e.path === 'cluster')?.message).toBe('expected string, got number');
    expect(errors.find((e) => e.path === 'vault')?.message).toBe('is required');
  });
});

describe('RestoreCreate', () => {
  const base = { name: 'r1', backupName: 'b1', cluster: 'c2' };

  it('accepts the full spec and defaults existingResourcePolicy', () => {
    const r = validate(RestoreCreateSchema, {
      ...base,
      includedNamespaces: ['a'],
      namespaceMapping: { a: 'b' },
      storageClassMapping: { 'alicloud-disk-ssd': 'alicloud-disk-essd' },
      imageRegistryMapping: { 'docker.io/library/': 'registry.example.com/my/' },
      imageMapping: {
        case1: 'app1:v1,app2:v2',
        case2: 'app1,app2',
        case3: 'v1:v2',
        case4: 'docker.io/library/app1:v1,registry.cn-beijing.aliyuncs.com/my-registry/app2:v2',
      },
      preserveNodePorts: true,
      restorePVs: true,
      convertToAccessModes: ['ReadWriteOnce'],
      resourceModifiers: {
        version: 'v1',
        resourceModifierRules: [
          {
            conditions: { groupResource: 'deployments.apps' },
            patches: [{ operation: 'replace', path: '/spec/replicas', value: '1' }],
          },
        ],
      },
    });
    expect(r.success).toBe(true);
    if (r.success) expect(r.data.existingResourcePolicy).toBe('none');
  });

  it('validates image-change cases', () => {
    expect(imageMappingProblem('app1:v1,app2:v2')).toBeUndefined();
    expect(imageMappingProblem('v1:v2')).toBeUndefined();
    expect(imageMappingProblem('app1')).toBeDefined();
    expect(imageMappingProblem('a,b,c')).toBeDefined();
    expect(imageMappingProblem('a, b')).toBeDefined();
    expect(pathsOf(RestoreCreateSchema, { ...base, imageMapping: { case1: 'x', foo: 'a,b' } })).toEqual([
      'imageMapping.case1',
      'imageMapping.foo',
    ]);
  });

  it('checks mappings and policies', () => {
    expect(pathsOf(RestoreCreateSchema, { ...base, namespaceMapping: { a: 'B' } })).toEqual(['namespaceMapping.a']);
    expect(pathsOf(RestoreCreateSchema, { ...base, existingResourcePolicy: 'replace' })).toEqual([
      'existingResourcePolicy',
    ]);
    expect(pathsOf(RestoreCreateSchema, { ...base, convertToAccessModes: ['ReadWriteOnce', 'ReadWriteOnce'] })).toEqual(
      ['convertToAccessModes'],
    );
    expect(
      pathsOf(RestoreCreateSchema, { ...base, resourceModifiers: { version: 'v2', resourceModifierRules: [] } }),
    ).toEqual(['resourceModifiers.version', 'resourceModifiers.resourceModifierRules']);
  });

  it('accepts a Velero backup name (a DNS subdomain)', () => {
    expect(validate(RestoreCreateSchema, { ...base, backupName: 'velero.daily-20240101' }).success).toBe(true);
  });
});

describe('ConversionCreate, ScheduleCreate, DeleteRequestCreate', () => {
  it('ConversionCreate needs a non-empty mapping', () => {
    expect(
      validate(ConversionCreateSchema, { backupName: 'b', cluster: 'c', storageClassMapping: { a: 'b' } }).success,
    ).toBe(true);
    expect(pathsOf(ConversionCreateSchema, { backupName: 'b', cluster: 'c', storageClassMapping: {} })).toEqual([
      'storageClassMapping',
    ]);
  });

  it('ScheduleCreate validates schedule and template', () => {
    const r = validate(ScheduleCreateSchema, {
      name: 'nightly',
      schedule: '6h30m',
      template: { cluster: 'c', vault: 'v' },
    });
    expect(r).toEqual({
      success: true,
      data: {
        name: 'nightly',
        schedule: '6h30m',
        paused: false,
        template: { cluster: 'c', vault: 'v', backupType: 'AppBackup', ttl: '720h0m0s' },
      },
    });
    expect(
      errorsOf(ScheduleCreateSchema, {
        name: 'x'.repeat(49),
        schedule: '61 * * * *',
        template: { cluster: 'c', vault: 'v', name: 'n' },
      }),
    ).toEqual([
      { path: 'name', message: expect.stringContaining('at most 48 characters') },
      { path: 'schedule', message: 'minute field: 61 is out of range 0-59' },
      { path: 'template.name', message: 'unknown field' },
    ]);
  });

  it('DeleteRequestCreate', () => {
    expect(validate(DeleteRequestCreateSchema, { deleteObjectName: 'b', deleteObjectType: 'Convert' }).success).toBe(
      true,
    );
    expect(pathsOf(DeleteRequestCreateSchema, { deleteObjectName: 'b', deleteObjectType: 'Vault' })).toEqual([
      'deleteObjectType',
    ]);
  });
});

describe('label selectors', () => {
  it.each([
    ['app', true],
    ['app=web', true],
    ['app==web', true],
    ['app = web , tier notin (a,b)', true],
    ['!app', true],
    ['app=', true],
    ['app.kubernetes.io/name in (a,b)', true],
    ['', false],
    ['app in (a', false],
    ['a,,b', false],
    ['app > 5', true],
    ['app=we b', false],
    ['-app', false],
    ['Foo.com/x', false],
    ['x'.repeat(64), false],
  ])('accepts %j: %s, as the backup parses it', (text, ok) => {
    // One parser: the API accepts a selector exactly when the backup can apply it.
    expect(LabelSelectorSchema.safeParse(text).success).toBe(ok);
    expect(validateLabelSelector(text) === undefined).toBe(ok || text === '');
  });
});

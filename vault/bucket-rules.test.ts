import { describe, expect, it } from 'vitest';
import type { VaultCreate } from '../domain/vault.js';
import { bucketRefusal } from './bucket-rules.js';

const oss: VaultCreate = { name: 'v', backend: 'oss', bucket: 'cnfs-oss-b', region: 'cn-hangzhou' };
const s3: VaultCreate = { name: 'v', backend: 's3', bucket: 'b' };

describe('bucketRefusal', () => {
  it('refuses the archive storage classes with the FAQ reason, and takes Standard and IA', () => {
    for (const storageClass of ['Archive', 'ColdArchive', 'DeepColdArchive'])
      expect(bucketRefusal(oss, { storageClass })).toMatch(
        new RegExp(
          `^VaultError: backup vault is unavailable: the storage class of OSS bucket cnfs-oss-b is ${storageClass}: .*use the Standard storage class`,
        ),
      );
    expect(bucketRefusal(oss, { storageClass: 'Standard' })).toBeUndefined();
    expect(bucketRefusal(oss, { storageClass: 'IA' })).toBeUndefined();
  });

  it('an immutable s3 vault needs Object Lock on its bucket', () => {
    const locked = { ...s3, immutable: { days: 7 } };
    expect(bucketRefusal(locked, { retention: { enabled: false, locked: false } })).toMatch(
      /bucket b does not have Object Lock enabled/,
    );
    expect(bucketRefusal(locked, { retention: { enabled: true, locked: false } })).toBeUndefined();
    expect(bucketRefusal(s3, {})).toBeUndefined();
  });

  it('an immutable oss vault needs a locked WORM policy of at least its days', () => {
    const locked = { ...oss, immutable: { days: 30 } };
    expect(bucketRefusal(locked, {})).toMatch(/has no retention policy/);
    expect(bucketRefusal(locked, { retention: { enabled: true, locked: false, days: 30 } })).toMatch(
      /is not locked yet/,
    );
    expect(bucketRefusal(locked, { retention: { enabled: true, locked: true, days: 7 } })).toMatch(
      /keeps objects 7 days, fewer than the vault's 30/,
    );
    expect(bucketRefusal(locked, { retention: { enabled: true, locked: true, days: 30 } })).toBeUndefined();
  });
});

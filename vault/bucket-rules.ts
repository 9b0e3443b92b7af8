// What a bucket must be for a vault to keep its promises, judged from what the bucket says of
// itself (ObjectStore.inspect): no archive storage class (the FAQ: metadata files must be updated
// and read back at once), and for an immutable vault a retention the store enforces.

import { messages } from '../domain/errors.js';
import type { VaultCreate } from '../domain/vault.js';
import type { BucketFacts } from './backend.js';

// OSS's names and S3's (the bucket has no default class on S3, but a store may report one).
const ARCHIVE_CLASSES = new Set(['Archive', 'ColdArchive', 'DeepColdArchive', 'GLACIER', 'DEEP_ARCHIVE']);

/** Why the vault is Unavailable on this bucket, in the FAQ's words where it has some; undefined when fine. */
export function bucketRefusal(spec: VaultCreate, facts: BucketFacts): string | undefined {
  const bucket = `${spec.backend === 'oss' ? 'OSS bucket' : 'bucket'} ${spec.bucket ?? ''}`.trim();
  if (facts.storageClass !== undefined && ARCHIVE_CLASSES.has(facts.storageClass)) {
    return messages.vaultUnavailable(
      `the storage class of ${bucket} is ${facts.storageClass}: the backup center must update the files that record metadata and read backups back at once, which Archive, Cold Archive and Deep Cold Archive objects do not allow before they are restored; use the Standard storage class (lifecycle rules may move old backups later)`,
    );
  }
  const wanted = spec.immutable?.days;
  if (wanted === undefined) return undefined;
  const retention = facts.retention;
  if (spec.backend === 's3' && !retention?.enabled) {
    return messages.vaultUnavailable(
      `${bucket} does not have Object Lock enabled: an immutable vault needs a bucket created with Object Lock`,
    );
  }
  if (spec.backend === 'oss') {
    if (!retention?.enabled)
      return messages.vaultUnavailable(
        `${bucket} has no retention policy: an immutable vault needs a locked WORM policy`,
      );
    if (!retention.locked)
      return messages.vaultUnavailable(
        `${bucket}'s retention policy is not locked yet: until it is, the bucket owner can remove it and delete backups`,
      );
    if (retention.days !== undefined && retention.days < wanted)
      return messages.vaultUnavailable(
        `${bucket}'s retention policy keeps objects ${retention.days} days, fewer than the vault's ${wanted}`,
      );
  }
  return undefined;
}

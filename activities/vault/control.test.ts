import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, nonRetryableErrorCodes } from '../../domain/errors.js';
import type { VaultCreate } from '../../domain/vault.js';
import { pino } from 'pino';
import { newBackupMetadata } from '../../vault/backup-metadata.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';
import { createVaultActivities } from './control.js';

// locateBackup's error mapping: only a definite not-found is BackupNotFound (never retried); a
// vault that cannot be read fails the attempt with a type the activity presets retry.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-control-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logger = pino({ level: 'silent' });
const activities = (...vaults: VaultCreate[]) =>
  createVaultActivities({
    vaults: { get: async (n) => vaults.find((v) => v.name === n), list: async () => vaults },
    logger,
  });

async function healthyVault(name: string, backups: string[] = []): Promise<VaultCreate> {
  const path = join(dir, name);
  const store = new BackupStore(await FilesystemObjectStore.create(path), '');
  for (const b of backups) {
    await store.commitBackup(
      b,
      newBackupMetadata({
        name: b,
        storageLocation: name,
        cluster: 'a',
        phase: 'Completed',
        startTimestamp: '2024-05-01T10:00:00Z',
        completionTimestamp: '2024-05-01T10:01:00Z',
      }),
    );
  }
  return { name, backend: 'filesystem', path };
}

/** A vault whose directory is gone (unmounted volume, deleted bucket): reads fail, they do not say "absent". */
const unreachableVault = (name: string): VaultCreate => ({
  name,
  backend: 'filesystem',
  path: join(dir, 'gone', name),
});

async function failureOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a failure');
}

/** The failure type Temporal records for an activity error: an ApplicationFailure's type, else the error's name. */
const failureType = (err: Error) => (err instanceof ApplicationFailure ? err.type : err.name);
const retried = (err: Error) =>
  !(err instanceof ApplicationFailure && err.nonRetryable) &&
  !nonRetryableErrorCodes.includes(failureType(err) as ErrorCode);

describe('locateBackup', () => {
  it('says BackupNotFound, not retried, when every vault answered and none holds the backup', async () => {
    const err = await failureOf(
      activities(await healthyVault('v1'), await healthyVault('v2')).locateBackup({ backup: 'b1' }),
    );
    expect(failureType(err)).toBe(ErrorCode.BackupNotFound);
    expect(retried(err)).toBe(false);
  });

  it('fails retryably, not BackupNotFound, when the named vault cannot be read', async () => {
    const err = await failureOf(activities(unreachableVault('v1')).locateBackup({ backup: 'b1', vault: 'v1' }));
    expect(failureType(err)).not.toBe(ErrorCode.BackupNotFound);
    expect(retried(err)).toBe(true);
    expect(err.message).toContain('v1');
    expect(err.message).toContain('does not exist');
  });

  it('fails retryably when the backup is in no readable vault and another vault could not be read', async () => {
    const err = await failureOf(
      activities(await healthyVault('v1'), unreachableVault('v2')).locateBackup({ backup: 'b1' }),
    );
    expect(failureType(err)).not.toBe(ErrorCode.BackupNotFound);
    expect(retried(err)).toBe(true);
    expect(err.message).toContain('v2');
  });

  it('finds the backup in a readable vault although another vault cannot be read', async () => {
    const v2 = await healthyVault('v2', ['b1']);
    await expect(activities(unreachableVault('v1'), v2).locateBackup({ backup: 'b1' })).resolves.toEqual({
      vault: v2,
    });
  });

  it('fails retryably on metadata that cannot be read back (a torn or foreign write)', async () => {
    const v1 = await healthyVault('v1');
    const store = new BackupStore(new FilesystemObjectStore(v1.path!), '');
    await store.objects.put(store.layout.backupKey('b1', 'metadata'), Buffer.from('{"truncat'));
    const err = await failureOf(activities(v1).locateBackup({ backup: 'b1' }));
    expect(failureType(err)).not.toBe(ErrorCode.BackupNotFound);
    expect(retried(err)).toBe(true);
  });
});

import { ApplicationFailure, Context } from '@temporalio/activity';
import { ScheduleNotFoundError } from '@temporalio/client';
import { ErrorCode, messages } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { heartbeatWhile } from '../progress.js';
import { planScheduleId } from '../../temporal/workflow-ids.js';
import { isObjectNotFound, ObjectStoreError } from '../../vault/backend.js';
import { bucketRefusal } from '../../vault/bucket-rules.js';
import { EncryptedObjectStore } from '../../vault/encryption.js';
import { BackupAnnotation, deletedByCluster, RETAINED_DELETION } from '../../vault/backup-metadata.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { claimLocation, parseVaultMarker, serializeVaultMarker, type VaultMarker } from '../../vault/marker.js';
import { BackupStoreError, type BackupStore } from '../../vault/store.js';
import {
  filesystemVaultRefusal,
  openVault,
  resolveVault,
  symlinkEscape,
  vaultDirectory,
  type VaultAccess,
  type VaultRegistry,
} from '../../vault/open.js';
import type { VaultCreate } from '../../domain/vault.js';

// Activities of the lifecycle workflows (vault validation, delete requests, retention), on the
// control queue: they read and write the vault and Temporal's own records, never a cluster.

export interface LifecycleDeps extends VaultAccess {
  vaults: VaultRegistry;
  /** The configuration's allowedVaultRoots: other roots a symbolic link may not lead out of. */
  allowedVaultRoots?: readonly string[];
  logger: Logger;
  /** Staged uploads untouched this long are removed by the vault validation (config `stagingMaxAgeMinutes`). */
  stagingMaxAgeMinutes?: number;
}

/** The default of `stagingMaxAgeMinutes`. */
export const DEFAULT_STAGING_MAX_AGE_MINUTES = 60;

export type VaultCheck = { ok: true; message: null } | { ok: false; message: string };

/** A committed backup whose `status.expiration` has passed. */
export interface ExpiredBackup {
  backup: string;
  vault: string;
  expiration: string;
}

/** Where a backup is and who made it. */
export interface BackupWhereabouts {
  vault: string;
  /** The cluster that made it (velero-backup.json annotation), if recorded. */
  cluster?: string;
  /** Set when another cluster deleted it: the data stays, it is no longer listed. */
  markedDeletedBy?: string;
}

/** Restores a backup's delete removes: at most this many, then the rest on the next request. */
const MAX_RESTORES_PER_BACKUP = 1000;

export function createLifecycleActivities(deps: LifecycleDeps) {
  const root = deps.vaultRoot ?? process.cwd();
  const open = (spec: VaultCreate): BackupStore => openVault(spec, { ...deps, vaultRoot: root });
  const resolve = (name: string) => resolveVault(deps.vaults, name);
  const roots = [root, ...(deps.allowedVaultRoots ?? [])];
  const stagingMaxAgeMs = (deps.stagingMaxAgeMinutes ?? DEFAULT_STAGING_MAX_AGE_MINUTES) * 60_000;

  return {
    /**
     * Creates the vault's location (a filesystem vault's directory: making the bucket) and claims it
     * with the marker file. Refuses a location another live vault owns and a name retired there,
     * and, writing nothing, a filesystem directory reached through a symbolic link out of its root
     * or holding foreign content (a non-empty directory that is not already a vault).
     */
    async initVault(input: { spec: VaultCreate }): Promise<VaultCheck> {
      const { spec } = input;
      try {
        if (spec.backend === 'filesystem') {
          const refusal = await filesystemVaultRefusal(vaultDirectory(spec, root), roots);
          if (refusal !== undefined) return { ok: false, message: refusal };
          await FilesystemObjectStore.create(vaultDirectory(spec, root));
        }
        const store = open(spec);
        const refused = await storeRefusal(spec, store);
        if (refused !== undefined) return { ok: false, message: refused };
        const decision = claimLocation(await readMarker(store), spec.name, new Date().toISOString());
        if (decision.action === 'refuse') return { ok: false, message: messages.vaultUnavailable(decision.message) };
        if (decision.action === 'write')
          await store.objects.put(store.layout.markerKey(), serializeVaultMarker(decision.marker));
        deps.logger.info({ vault: spec.name, action: decision.action }, 'vault location claimed');
        return { ok: true, message: null };
      } catch (err) {
        return { ok: false, message: unavailableMessage(err) };
      }
    },

    /**
     * The connectivity test: the store answers, holds nothing at the top level but the backup
     * center's (Velero's) directories, and its marker still names this vault. A valid vault is
     * then swept of staged uploads untouched for `stagingMaxAgeMinutes`: those of writers killed
     * mid-upload whose backup was never retried nor discarded (a terminated task). A sweep that
     * fails is logged; the vault stays valid.
     */
    async validateVault(input: { spec: VaultCreate }): Promise<VaultCheck> {
      const { spec } = input;
      try {
        const escape =
          spec.backend === 'filesystem' ? await symlinkEscape(vaultDirectory(spec, root), roots) : undefined;
        if (escape !== undefined) return { ok: false, message: messages.vaultUnavailable(escape) };
        const store = open(spec);
        const valid = await store.validate();
        if (!valid.ok) return { ok: false, message: valid.message };
        const refused = await storeRefusal(spec, store);
        if (refused !== undefined) return { ok: false, message: refused };
        const marker = await readMarker(store);
        if (marker !== undefined && marker.name !== spec.name) {
          return { ok: false, message: messages.vaultUnavailable(`the location belongs to vault ${marker.name}`) };
        }
        await store
          .sweepStaleStaging(stagingMaxAgeMs)
          .then((swept) => swept > 0 && deps.logger.info({ vault: spec.name, swept }, 'stale staged uploads removed'))
          .catch((err: unknown) => deps.logger.warn({ vault: spec.name, err }, 'sweeping stale staged uploads failed'));
        return { ok: true, message: null };
      } catch (err) {
        return { ok: false, message: unavailableMessage(err) };
      }
    },

    /** Stamps the marker of a deleted vault, so the storage itself remembers the retired name. */
    async retireVault(input: { spec: VaultCreate }): Promise<void> {
      const store = open(input.spec);
      const marker = await readMarker(store);
      if (marker === undefined || marker.name !== input.spec.name || marker.deletedAt !== undefined) return;
      await store.objects
        .put(store.layout.markerKey(), serializeVaultMarker({ ...marker, deletedAt: new Date().toISOString() }))
        .catch((err: unknown) => {
          // A WORM bucket keeps the marker as it was; the registry still remembers the retired name.
          if (!(err instanceof ObjectStoreError && err.failure === 'Retained')) throw err;
          deps.logger.warn({ vault: input.spec.name, err }, 'the retired vault marker could not be rewritten');
        });
    },

    /** Committed backups of every vault whose expiration is at or before `asOf`, oldest first. */
    async listExpiredBackups(input: {
      asOf: string;
      limit: number;
    }): Promise<{ backups: ExpiredBackup[]; unreadableVaults: string[] }> {
      const asOf = Date.parse(input.asOf);
      const backups: ExpiredBackup[] = [];
      const unreadableVaults: string[] = [];
      for (const vault of await deps.vaults.list()) {
        try {
          const store = open(vault);
          for (const b of await store.listBackups({ includeDeleted: true })) {
            // Deleted while retained (immutable vault): due when the retention ends. Marked by
            // another cluster: kept for good (the FAQ).
            const mark = deletedByCluster(b);
            const expiration =
              mark === undefined
                ? b.status.expiration
                : mark === RETAINED_DELETION
                  ? store.retainedUntil(b)?.toISOString()
                  : undefined;
            if (expiration && Date.parse(expiration) <= asOf)
              backups.push({ backup: b.metadata.name, vault: vault.name, expiration });
          }
        } catch (err) {
          deps.logger.warn({ vault: vault.name, err }, 'retention could not list the vault');
          unreadableVaults.push(vault.name);
        }
      }
      backups.sort((a, b) => a.expiration.localeCompare(b.expiration) || a.backup.localeCompare(b.backup));
      return { backups: backups.slice(0, input.limit), unreadableVaults };
    },

    /**
     * Finds a committed backup (marked deleted or not) in the vaults. Not found anywhere while a
     * vault could not be read is an error (retried), not "nothing to delete".
     */
    async inspectBackup(input: { backup: string }): Promise<BackupWhereabouts | undefined> {
      const unreadable: string[] = [];
      for (const vault of await deps.vaults.list()) {
        try {
          const meta = await open(vault).getBackup(input.backup, { includeDeleted: true });
          if (!meta) continue;
          const cluster = meta.metadata.annotations?.[BackupAnnotation.cluster];
          const markedDeletedBy = deletedByCluster(meta);
          return {
            vault: vault.name,
            ...(cluster === undefined ? {} : { cluster }),
            ...(markedDeletedBy === undefined ? {} : { markedDeletedBy }),
          };
        } catch (err) {
          if (err instanceof ApplicationFailure) throw err;
          deps.logger.warn({ vault: vault.name, err }, 'vault could not be read');
          unreadable.push(vault.name);
        }
      }
      if (unreadable.length > 0) {
        // Internal, not VaultUnavailable: the presets never retry the latter, and this is retried.
        throw ApplicationFailure.retryable(
          messages.vaultUnavailable(
            `backup ${input.backup} not found and vaults ${unreadable.join(', ')} could not be read`,
          ),
          ErrorCode.Internal,
        );
      }
      return undefined;
    },

    /**
     * Restores made from a backup, by their tasks' search attributes (RestoreWorkflow upserts the
     * backup's name). Their records live in the backup's vault under `restores/<name>/`.
     */
    async findRestoresOfBackup(input: { backup: string }): Promise<string[]> {
      const client = Context.current().client;
      const names = new Set<string>();
      const query = `BackupCenterTaskType = "Restore" AND BackupCenterBackup = ${JSON.stringify(input.backup)}`;
      for await (const wf of client.workflow.list({ query })) {
        if (wf.workflowId.startsWith('restore/')) names.add(wf.workflowId.slice('restore/'.length));
        if (names.size >= MAX_RESTORES_PER_BACKUP) break;
      }
      return [...names].sort();
    },

    /**
     * Removes a backup's files, velero-backup.json first so it leaves the listing before its data
     * goes. In an immutable vault a backup still retained is marked deleted instead (it leaves the
     * list, its data stays until the retention GC removes it once the retention has ended).
     */
    async deleteBackupData(input: { backup: string; vault: string }): Promise<{ retainedUntil?: string } | void> {
      const store = open(await resolve(input.vault));
      // Volume snapshots: none are taken yet (AppAndPvBackup data is not built), so there are none to delete.
      try {
        await heartbeatWhile(store.deleteBackup(input.backup), undefined, 5_000);
      } catch (err) {
        if (!(err instanceof ObjectStoreError && err.failure === 'Retained')) throw err;
        const backup = await store.getBackup(input.backup, { includeDeleted: true });
        if (!backup) throw err;
        await store.markDeleted(input.backup, RETAINED_DELETION);
        const retainedUntil = store.retainedUntil(backup)?.toISOString();
        deps.logger.info(
          { backup: input.backup, vault: input.vault, retainedUntil },
          'backup retained: marked deleted',
        );
        return { retainedUntil };
      }
      deps.logger.info({ backup: input.backup, vault: input.vault }, 'backup deleted');
    },

    /** A delete from a cluster other than the backup's own only marks it (the FAQ): the data stays. */
    async markBackupDeleted(input: { backup: string; vault: string; cluster: string }): Promise<void> {
      const store = open(await resolve(input.vault));
      await store.markDeleted(input.backup, input.cluster).catch(rethrowStoreError);
      deps.logger.info({ backup: input.backup, vault: input.vault, cluster: input.cluster }, 'backup marked deleted');
    },

    /** Removes `restores/<restore>/` from the given vault, or from every vault holding it; returns those vaults. */
    async deleteRestoreRecords(input: { restore: string; vault?: string }): Promise<string[]> {
      const vaults = input.vault ? [await resolve(input.vault)] : await deps.vaults.list();
      const removed: string[] = [];
      for (const vault of vaults) {
        const store = open(vault);
        if (!(await hasAny(store.objects.list(store.layout.restoreDir(input.restore))))) continue;
        await heartbeatWhile(store.deleteRestore(input.restore), undefined, 5_000);
        removed.push(vault.name);
      }
      return removed;
    },

    /** Deletes backup plan `plan`'s Temporal Schedule; its backups stay. False when it was already gone. */
    async deleteBackupPlan(input: { plan: string }): Promise<boolean> {
      try {
        await Context.current().client.schedule.getHandle(planScheduleId(input.plan)).delete();
        return true;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return false;
        throw err;
      }
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createLifecycleActivities>;

async function readMarker(store: BackupStore): Promise<VaultMarker | undefined> {
  let body: Buffer;
  try {
    body = await store.objects.get(store.layout.markerKey());
  } catch (err) {
    if (isObjectNotFound(err)) return undefined;
    throw err;
  }
  return parseVaultMarker(body);
}

function unavailableMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith('VaultError: ') ? message : messages.vaultUnavailable(message);
}

function rethrowStoreError(err: unknown): never {
  if (err instanceof BackupStoreError) throw ApplicationFailure.nonRetryable(err.message, err.code);
  throw err;
}

/**
 * Why the bucket cannot keep the vault's promises (bucket-rules.ts), or its key ring cannot be
 * read (an encrypted vault whose key is missing is Unavailable, naming the ring), or undefined.
 */
async function storeRefusal(spec: VaultCreate, store: BackupStore): Promise<string | undefined> {
  const refusal = bucketRefusal(spec, await store.objects.inspect());
  if (refusal !== undefined) return refusal;
  if (store.objects instanceof EncryptedObjectStore) await store.objects.keyRing();
  return undefined;
}

async function hasAny(keys: AsyncIterable<string>): Promise<boolean> {
  for await (const _ of keys) return true;
  return false;
}

// A vault: Velero's backup store (pkg/persistence/object_store.go) over any ObjectStore and a
// prefix. It decides what is visible: a backup exists for listing and restore only once its
// velero-backup.json does.
//
// Deviation from Velero: Velero uploads velero-backup.json before the tarball and deletes it again
// if a later upload fails; a crash in between leaves a listed backup without data. Here the
// metadata is written last and deleted first, so no crash ever exposes a half-written or
// half-deleted backup; leftovers of an uncommitted backup are removed by cleanupPartial.
// Uploads a killed writer left staged are removed by key (discardStaging: a retry, a discard, a
// delete) and by age (sweepStaleStaging: the periodic vault validation).

import type { Readable } from 'node:stream';
import { ErrorCode, messages } from '../domain/errors.js';
import { readArchive, type ArchiveEntry } from './archive.js';
import { isObjectNotFound, ObjectStoreError, type ObjectStore } from './backend.js';
import {
  deletedByCluster,
  parseBackupMetadata,
  serializeBackupMetadata,
  withDeletedMark,
  type VeleroBackup,
} from './backup-metadata.js';
import { gunzipJson, gzipJson } from './gzip-json.js';
import { VaultLayout, VELERO_TOP_LEVEL_DIRS, type BackupFileKind, type RestoreFileKind } from './layout.js';
import { parseResourceList, type ResourceList } from './resource-list.js';
import { parseRestoreItems } from './restore-items.js';
import type { RestoreItem } from '../domain/restore.js';
import { parseResults, type Results } from './results.js';

export type BackupDataFileKind = Exclude<BackupFileKind, 'metadata' | 'deletedMark'>;

export interface BackupStoreOptions {
  /**
   * An immutable vault: every object is retained this many days from its upload. Committed files
   * are never rewritten, a deletion mark is an object of its own, and a backup cannot be deleted
   * before the retention of its last file (the metadata, written last) ends.
   */
  retentionDays?: number;
}

const DAY_MS = 86_400_000;

export type ValidationResult = { ok: true } | { ok: false; code: ErrorCode; message: string };

export class BackupStoreError extends Error {
  override readonly name = 'BackupStoreError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const LIST_CONCURRENCY = 8;

export class BackupStore {
  readonly layout: VaultLayout;

  constructor(
    readonly objects: ObjectStore,
    prefix: string,
    readonly options: BackupStoreOptions = {},
  ) {
    this.layout = new VaultLayout(prefix);
  }

  /** When an immutable vault's retention of this backup ends; undefined for a mutable vault. */
  retainedUntil(backup: VeleroBackup): Date | undefined {
    const days = this.options.retentionDays;
    if (days === undefined) return undefined;
    const committed = Date.parse(backup.status.completionTimestamp ?? backup.status.startTimestamp ?? '');
    // No timestamp: retained as if committed now, the safe side.
    return new Date((Number.isNaN(committed) ? Date.now() : committed) + days * DAY_MS);
  }

  /** Any object under backups/<name>/, committed or not: the name is taken. */
  async backupExists(name: string): Promise<boolean> {
    for await (const _ of this.objects.list(this.layout.backupDir(name))) return true;
    return false;
  }

  async isCommitted(name: string): Promise<boolean> {
    return this.objects.exists(this.layout.backupKey(name, 'metadata'));
  }

  async putBackupFile(name: string, kind: BackupDataFileKind, body: Buffer | Readable): Promise<void> {
    await this.objects.put(this.layout.backupKey(name, kind), body);
  }

  async putResourceList(name: string, list: ResourceList): Promise<void> {
    await this.putBackupFile(name, 'resourceList', await gzipJson(list));
  }

  async putResults(name: string, results: Results): Promise<void> {
    await this.putBackupFile(name, 'results', await gzipJson(results));
  }

  /**
   * The commit: write every other file first. A retried activity commits again: a mutable vault
   * rewrites the same metadata; an immutable one never rewrites, so it accepts the identical
   * metadata already there and refuses any other.
   */
  async commitBackup(name: string, metadata: VeleroBackup): Promise<void> {
    if (metadata.metadata.name !== name) {
      throw new BackupStoreError(ErrorCode.Internal, `metadata names backup ${metadata.metadata.name}, not ${name}`);
    }
    if (this.options.retentionDays !== undefined) {
      const key = this.layout.backupKey(name, 'metadata');
      const existing = await this.getRaw(key);
      if (existing !== undefined) {
        if (existing.toString('utf8') === serializeBackupMetadata(metadata)) return;
        throw new BackupStoreError(ErrorCode.BackupAlreadyExists, `backup ${name} is committed in an immutable vault`);
      }
    }
    await this.writeMetadata(name, metadata);
  }

  /** Committed backups not marked deleted, sorted by name. Unreadable metadata is reported, not fatal. */
  async listBackups(
    options: { onUnreadable?: (name: string, error: Error) => void; includeDeleted?: boolean } = {},
  ): Promise<VeleroBackup[]> {
    const dir = this.layout.backupsDir();
    const names = (await this.objects.listCommonPrefixes(dir, '/'))
      .map((p) => this.layout.childName(dir, p))
      .filter((n): n is string => n !== undefined);
    const found: Array<VeleroBackup | undefined> = new Array(names.length);
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const i = next++;
        const name = names[i]!;
        try {
          found[i] = await this.readMetadata(name);
        } catch (err) {
          options.onUnreadable?.(name, err as Error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_CONCURRENCY, names.length) }, worker));
    const committed = found.filter((b): b is VeleroBackup => b !== undefined);
    return options.includeDeleted ? committed : committed.filter((b) => deletedByCluster(b) === undefined);
  }

  /** The committed backup, or undefined; a backup marked deleted only with includeDeleted. */
  async getBackup(name: string, options: { includeDeleted?: boolean } = {}): Promise<VeleroBackup | undefined> {
    const backup = await this.readMetadata(name);
    if (backup === undefined) return undefined;
    return options.includeDeleted || deletedByCluster(backup) === undefined ? backup : undefined;
  }

  /** Streams the entries of a committed backup's tarball. */
  async *openArchive(name: string): AsyncGenerator<ArchiveEntry> {
    await this.requireCommitted(name);
    yield* readArchive(await this.objects.getStream(this.layout.backupKey(name, 'contents')));
  }

  async getResourceList(name: string): Promise<ResourceList | undefined> {
    const json = await this.getJson(this.layout.backupKey(name, 'resourceList'));
    return json === undefined ? undefined : parseResourceList(json);
  }

  async getResults(name: string): Promise<Results | undefined> {
    const json = await this.getJson(this.layout.backupKey(name, 'results'));
    return json === undefined ? undefined : parseResults(json);
  }

  /**
   * Deleting a backup from a cluster other than the one that made it only marks it (the FAQ): it
   * is no longer listed, its data stays, and its name stays taken.
   */
  async markDeleted(name: string, byCluster: string): Promise<void> {
    const backup = await this.requireCommitted(name);
    if (deletedByCluster(backup) !== undefined) return;
    if (this.options.retentionDays === undefined) return this.writeMetadata(name, withDeletedMark(backup, byCluster));
    await this.objects.put(this.layout.backupKey(name, 'deletedMark'), Buffer.from(JSON.stringify({ byCluster })));
  }

  /**
   * Metadata first, so a crash mid-delete leaves an uncommitted remainder, never a listed
   * half-backup. In an immutable vault a backup still retained is refused before anything goes.
   */
  async deleteBackup(name: string): Promise<void> {
    const backup = this.options.retentionDays === undefined ? undefined : await this.readMetadata(name);
    const until = backup && this.retainedUntil(backup);
    if (until !== undefined && until.getTime() > Date.now()) {
      throw new ObjectStoreError(
        'delete',
        'Retained',
        'the immutable vault',
        this.layout.backupDir(name),
        `backup ${name} is retained until ${until.toISOString()}`,
      );
    }
    await this.objects.delete(this.layout.backupKey(name, 'metadata'));
    await this.objects.deletePrefix(this.layout.backupDir(name));
    await this.discardStaging(name);
  }

  /**
   * Removes every staged upload of the backup's files: what earlier attempts left when their agent
   * was killed mid-upload. A retried backup calls it before writing, a failed one's discard after;
   * an attempt still writing (superseded, its agent presumed dead) then fails instead of landing.
   */
  async discardStaging(name: string): Promise<number> {
    return this.objects.sweepStaging({ prefix: this.layout.backupDir(name) });
  }

  /** Removes staged uploads of the whole vault untouched for `olderThanMs`: no live upload is that quiet. */
  async sweepStaleStaging(olderThanMs: number): Promise<number> {
    return this.objects.sweepStaging({ prefix: this.layout.root, olderThanMs });
  }

  /** Removes what a failed or crashed backup left behind; refuses to touch a committed backup. */
  async cleanupPartial(name: string): Promise<void> {
    if (await this.isCommitted(name)) {
      throw new BackupStoreError(
        ErrorCode.BackupAlreadyExists,
        `backup ${name} is committed; only an uncommitted backup's files can be cleaned up`,
      );
    }
    await this.objects.deletePrefix(this.layout.backupDir(name));
    await this.discardStaging(name);
  }

  async putRestoreFile(name: string, kind: RestoreFileKind, body: Buffer | Readable): Promise<void> {
    await this.objects.put(this.layout.restoreKey(name, kind), body);
  }

  async putRestoreResults(name: string, results: Results): Promise<void> {
    await this.putRestoreFile(name, 'results', await gzipJson(results));
  }

  async putRestoreItems(name: string, items: RestoreItem[]): Promise<void> {
    await this.putRestoreFile(name, 'items', await gzipJson(items));
  }

  async getRestoreResults(name: string): Promise<Results | undefined> {
    const json = await this.getJson(this.layout.restoreKey(name, 'results'));
    return json === undefined ? undefined : parseResults(json);
  }

  async getRestoreItems(name: string): Promise<RestoreItem[] | undefined> {
    const json = await this.getJson(this.layout.restoreKey(name, 'items'));
    return json === undefined ? undefined : parseRestoreItems(json);
  }

  async deleteRestore(name: string): Promise<void> {
    await this.objects.deletePrefix(this.layout.restoreDir(name));
  }

  /**
   * Velero's IsValid: the store must answer, and hold nothing at the top level but Velero's own
   * directories. Anything else means another vault nests here or foreign data was put in.
   */
  async validate(): Promise<ValidationResult> {
    let dirs: string[];
    try {
      dirs = await this.objects.listCommonPrefixes(this.layout.root, '/');
    } catch (err) {
      return { ok: false, code: ErrorCode.VaultUnavailable, message: messages.vaultUnavailable(describe(err)) };
    }
    const invalid = dirs
      .map((d) => this.layout.childName(this.layout.root, d))
      .filter((n): n is string => n !== undefined && !VELERO_TOP_LEVEL_DIRS.includes(n));
    if (invalid.length === 0) return { ok: true };
    return { ok: false, code: ErrorCode.VaultUnavailable, message: invalidTopLevelMessage(invalid) };
  }

  private async readMetadata(name: string): Promise<VeleroBackup | undefined> {
    let body: Buffer;
    try {
      body = await this.objects.get(this.layout.backupKey(name, 'metadata'));
    } catch (err) {
      if (isObjectNotFound(err)) return undefined;
      throw err;
    }
    const backup = parseBackupMetadata(JSON.parse(body.toString('utf8')));
    if (this.options.retentionDays === undefined || deletedByCluster(backup) !== undefined) return backup;
    const mark = await this.getRaw(this.layout.backupKey(name, 'deletedMark'));
    if (mark === undefined) return backup;
    const byCluster = (JSON.parse(mark.toString('utf8')) as { byCluster?: unknown }).byCluster;
    return withDeletedMark(backup, typeof byCluster === 'string' ? byCluster : 'unknown');
  }

  private async getRaw(key: string): Promise<Buffer | undefined> {
    try {
      return await this.objects.get(key);
    } catch (err) {
      if (isObjectNotFound(err)) return undefined;
      throw err;
    }
  }

  private async writeMetadata(name: string, metadata: VeleroBackup): Promise<void> {
    await this.objects.put(this.layout.backupKey(name, 'metadata'), Buffer.from(serializeBackupMetadata(metadata)));
  }

  private async requireCommitted(name: string): Promise<VeleroBackup> {
    const backup = await this.readMetadata(name);
    if (backup === undefined) throw new BackupStoreError(ErrorCode.BackupNotFound, `backup ${name} not found in vault`);
    return backup;
  }

  private async getJson(key: string): Promise<unknown> {
    const body = await this.getRaw(key);
    return body === undefined ? undefined : gunzipJson(body);
  }
}

/** Velero's wording, list formatted as Go prints a []string, at most three names. */
export function invalidTopLevelMessage(invalid: string[]): string {
  if (invalid.length > 3) {
    return `Backup store contains ${invalid.length} invalid top-level directories: [${[...invalid.slice(0, 3), '...'].join(' ')}]`;
  }
  return `Backup store contains invalid top-level directories: [${invalid.join(' ')}]`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

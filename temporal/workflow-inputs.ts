// What each workflow takes and returns: the contract between the clients that start workflows
// (the API, schedules, other workflows) and the workflows, without importing workflow code.

import type { BackupCreate, BackupSpec } from '../domain/backup.js';
import type { DeleteRequestCreate } from '../domain/delete-request.js';
import type { RestoreCreate } from '../domain/restore.js';
import type { TaskStatus } from '../domain/task.js';
import type { VaultLocation } from '../domain/vault-location.js';
import type { VaultCreate, VaultStatus } from '../domain/vault.js';
import type { TaskOptions } from './activity-options.js';

export interface BackupInput {
  spec: BackupCreate;
  options?: TaskOptions;
}

export type BackupResult = TaskStatus;

export interface RestoreInput {
  spec: RestoreCreate;
  options?: TaskOptions;
}

export interface DeleteInput {
  spec: DeleteRequestCreate;
  /**
   * Backup only: the backup never reached a vault (its task failed or was cancelled) and its
   * task record is what lists it. The request then looks in no vault but this one, for staged
   * files to remove, and completes with a warning; the API stops listing the backup.
   */
  notCommitted?: { vault: string };
}

export interface ScheduledBackupInput {
  /** The backup plan's name. */
  plan: string;
  /** The backup spec without its name. */
  template: BackupSpec;
  options?: TaskOptions;
}

export interface RetentionInput {
  /** Delete what expired at or before this time (ISO 8601); the run's own time by default. */
  asOf?: string;
  /** Backups deleted per run at most; the next run takes the rest. */
  limit?: number;
}

export interface RetentionResult {
  asOf: string;
  /** Delete requests that completed. */
  deleted: string[];
  /** A delete request for the backup was already running. */
  skipped: string[];
  failed: Array<{ backup: string; message: string }>;
  /** Vaults that could not be listed; their backups wait for the next run. */
  unreadableVaults: string[];
}

export interface VaultInput {
  spec: VaultCreate;
  /** Carried over continue-as-new. */
  status?: VaultStatus;
  /** The location was created and claimed by an earlier run. */
  claimed?: boolean;
}

/** One vault as the registry knows it; deleted entries are the tombstones. */
export interface VaultEntry {
  name: string;
  spec: VaultCreate;
  location: VaultLocation;
  state: 'live' | 'deleted';
  /** Preconfigured (config.vaults) rather than created through the API: not deletable through it. */
  configured: boolean;
  createdAt: string;
  deletedAt?: string;
}

export interface RegisterVaultInput {
  spec: VaultCreate;
  /** Where the vault lives, computed by the caller with the configured vaultRoot (domain/vault-location.ts). */
  location: VaultLocation;
  configured?: boolean;
}

export interface VaultRegistryInput {
  vaults?: VaultEntry[];
}

/** What ClusterProbeWorkflow returns: a cluster as its agent reads it. */
export interface ClusterInfo {
  kubernetesVersion: string;
  namespaces: string[];
  nodes: number;
  zones: string[];
}

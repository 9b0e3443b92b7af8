// Backups and restores as the vault holds them, in the API's shapes: a committed backup's
// velero-backup.json (ours, Velero's or the managed backup center's) as a Backup resource, the
// archive's entries as `/resources` items, a restore's item outcomes as `/items`. The mapping
// functions are pure; findBackup and openStore touch the vaults.

import type { ArchiveEntry } from '../vault/archive.js';
import { BackupAnnotation, type VeleroBackup } from '../vault/backup-metadata.js';
import type { Result, Results } from '../vault/results.js';
import type { BackupStore } from '../vault/store.js';
import { openVault, vaultAccessOf } from '../vault/open.js';
import { ErrorCode } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import { parseApiVersion, splitGroupResource } from '../resources/types.js';
import type { ApiDeps } from './deps.js';
import {
  BackupTypeSchema,
  DEFAULT_BACKUP_TTL,
  type Backup,
  type BackupResourceItem,
  type BackupSpec,
} from '../domain/backup.js';
import type { TaskIssue, TaskPhase } from '../domain/task.js';
import { backupExpiration } from './tasks.js';
import type { VaultCreate } from '../domain/vault.js';

/**
 * Velero's backup phases as the API's: the finished ones map to themselves (FailedValidation is
 * Failed), everything on the way (New, WaitingForPluginOperations…, Finalizing…, Deleting) is
 * InProgress.
 */
export function phaseFromVelero(phase: string | null | undefined): TaskPhase {
  switch (phase) {
    case 'Completed':
      return 'Completed';
    case 'PartiallyFailed':
      return 'PartiallyFailed';
    case 'Failed':
    case 'FailedValidation':
      return 'Failed';
    default:
      return 'InProgress';
  }
}

/** Velero's results (`{velero, cluster, namespaces}`) as task issues, namespaced ones prefixed with the namespace. */
export function issuesFromResult(result: Result | undefined, code: string): TaskIssue[] {
  if (!result) return [];
  const out: TaskIssue[] = [];
  for (const message of result.velero ?? []) out.push({ code, message });
  for (const message of result.cluster ?? []) out.push({ code, message });
  for (const [ns, messages] of Object.entries(result.namespaces ?? {})) {
    for (const message of messages) out.push({ code, message: `namespace ${ns}: ${message}` });
  }
  return out;
}

function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

function cleanSelector(selector: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(selector).filter(([, v]) => present(v)));
}

/**
 * A committed backup as a Backup resource. `cluster` comes from our annotation; a backup made by
 * Velero does not record its cluster, so it is ''. `vault` is the vault it was found in.
 */
export function backupFromVelero(
  meta: VeleroBackup,
  vault: string,
  options: { results?: Results; temporalUi?: string | null } = {},
): Backup {
  const annotations = meta.metadata.annotations ?? {};
  const s = meta.spec;
  const backupType = BackupTypeSchema.safeParse(annotations[BackupAnnotation.backupType]);
  const spec: Record<string, unknown> = {
    cluster: annotations[BackupAnnotation.cluster] ?? '',
    vault,
    backupType: backupType.success ? backupType.data : 'AppBackup',
  };
  if (present(s.includedNamespaces)) spec.includedNamespaces = s.includedNamespaces;
  if (present(s.excludedNamespaces)) spec.excludedNamespaces = s.excludedNamespaces;
  if (present(s.includedResources)) spec.includedResources = s.includedResources;
  if (present(s.excludedResources)) spec.excludedResources = s.excludedResources;
  if (present(s.labelSelector)) spec.labelSelector = cleanSelector(s.labelSelector);
  if (present(s.orLabelSelectors)) spec.orLabelSelectors = s.orLabelSelectors.map(cleanSelector);
  if (present(s.includeClusterResources)) spec.includeClusterResources = s.includeClusterResources;
  spec.ttl = present(s.ttl) ? s.ttl : DEFAULT_BACKUP_TTL;

  const st = meta.status;
  const phase = phaseFromVelero(st.phase);
  const failureReason: unknown = (st as Record<string, unknown>).failureReason;
  const startTimestamp = st.startTimestamp ?? null;
  return {
    name: meta.metadata.name,
    spec: spec as BackupSpec,
    status: {
      phase,
      startTimestamp,
      completionTimestamp: st.completionTimestamp ?? null,
      expiration: st.expiration ?? backupExpiration(startTimestamp, spec.ttl, phase),
      errors: issuesFromResult(options.results?.errors, ErrorCode.ItemFailed),
      warnings: issuesFromResult(options.results?.warnings, 'Warning'),
      failureReason: typeof failureReason === 'string' && failureReason !== '' ? failureReason : null,
      progress: { totalItems: st.progress?.totalItems ?? 0, itemsBackedUp: st.progress?.itemsBackedUp ?? 0 },
      links: { temporalUi: options.temporalUi ?? null },
    },
  };
}

/** Whether the metadata announces errors or warnings worth reading the results file for. */
export function hasIssues(meta: VeleroBackup): boolean {
  return (meta.status.errors ?? 0) > 0 || (meta.status.warnings ?? 0) > 0;
}

/**
 * Turns archive entries into `/resources` items, one per object: an object is stored once per
 * served version (and the preferred one also on the legacy path); the item names the preferred
 * version. The archive keeps `resource.group` in its paths, which the resource list (keyed by
 * Kind) does not.
 */
export class ResourceItemCollector {
  private readonly seen = new Set<string>();

  /** The item for this entry when it is the first preferred entry of its object, else undefined. */
  add(entry: ArchiveEntry): BackupResourceItem | undefined {
    if (entry.kind !== 'object' || !entry.item.preferred) return undefined;
    const { item, object } = entry;
    const key = `${item.groupResource}\u0000${item.namespace ?? ''}\u0000${item.name}`;
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    const { group, resource } = splitGroupResource(item.groupResource);
    const version =
      item.version ?? (typeof object.apiVersion === 'string' ? parseApiVersion(object.apiVersion).version : '');
    return {
      group,
      version,
      resource,
      ...(item.namespace === undefined ? {} : { namespace: item.namespace }),
      name: item.name,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Vault access

/** The vault's store, or undefined (logged) when its backend cannot be opened here. */
export function openStore(
  deps: Pick<ApiDeps, 'config' | 'logger'>,
  vault: VaultCreate,
  log: Logger = deps.logger,
): BackupStore | undefined {
  try {
    return openVault(vault, vaultAccessOf(deps.config));
  } catch (err) {
    log.warn({ err, vault: vault.name }, 'vault cannot be opened');
    return undefined;
  }
}

export interface FoundBackup {
  vault: VaultCreate;
  store: BackupStore;
  metadata: VeleroBackup;
}

/**
 * The committed backup of that name in any vault (`prefer` first). A vault that cannot be read is
 * skipped and logged: one unavailable vault does not hide the others' backups.
 */
export async function findBackup(
  deps: Pick<ApiDeps, 'config' | 'logger' | 'vaults'>,
  name: string,
  options: { prefer?: string; log?: Logger } = {},
): Promise<FoundBackup | undefined> {
  const log = options.log ?? deps.logger;
  const vaults = await deps.vaults.list();
  const ordered = [...vaults].sort((a, b) => Number(b.name === options.prefer) - Number(a.name === options.prefer));
  for (const vault of ordered) {
    const store = openStore(deps, vault, log);
    if (!store) continue;
    try {
      const metadata = await store.getBackup(name);
      if (metadata) return { vault, store, metadata };
    } catch (err) {
      log.warn({ err, vault: vault.name, backup: name }, 'vault could not be read');
    }
  }
  return undefined;
}

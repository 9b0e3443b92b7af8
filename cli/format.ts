// What the `bc` client prints, in the spirit of velero's output: aligned tables for `get`,
// labelled blocks for `describe`, one progress line for `--wait`. Pure: strings in, strings out.

import type { Backup, BackupResourceItem } from '../domain/backup.js';
import type { Cluster } from '../domain/cluster.js';
import type { DeleteRequest } from '../domain/delete-request.js';
import type { Restore, RestoreItem } from '../domain/restore.js';
import type { Schedule } from '../domain/backup-plan.js';
import type { TaskIssue } from '../domain/task.js';
import type { Vault } from '../domain/vault.js';

const NONE = '<none>';

/** Columns padded to their widest cell, three spaces apart, like kubectl and velero. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A duration as velero prints ages: `29d`, `5h`, `12m`, `30s`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d`;
  if (s >= 3_600) return `${Math.floor(s / 3_600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

function timestamp(value: string | null | undefined): string {
  return value ? value.replace(/\.\d{3}Z$/, 'Z') : NONE;
}

function list(values: readonly string[] | undefined, fallback = NONE): string {
  return values && values.length > 0 ? values.join(', ') : fallback;
}

function selector(value: unknown): string {
  if (value === undefined || value === null) return NONE;
  if (typeof value === 'string') return value;
  const s = value as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of (s.matchExpressions ?? []) as Array<{ key: string; operator: string; values?: string[] }>) {
    parts.push(`${e.key} ${e.operator}${e.values ? ` (${e.values.join(',')})` : ''}`);
  }
  return parts.length > 0 ? parts.join(',') : NONE;
}

export function backupsTable(backups: readonly Backup[], now = Date.now()): string {
  return table(
    ['NAME', 'STATUS', 'ERRORS', 'WARNINGS', 'CREATED', 'EXPIRES', 'CLUSTER', 'VAULT', 'SELECTOR'],
    backups.map((b) => [
      b.name,
      b.status.phase,
      String(b.status.errors.length),
      String(b.status.warnings.length),
      timestamp(b.status.startTimestamp),
      b.status.expiration ? shortDuration(Date.parse(b.status.expiration) - now) : NONE,
      b.spec.cluster || NONE,
      b.spec.vault,
      selector(b.spec.labelSelector),
    ]),
  );
}

function issues(title: string, list: readonly TaskIssue[], details: boolean): string[] {
  if (!details || list.length === 0) return [`${title}:  ${list.length}`];
  return [
    `${title}:`,
    ...list.map((i) => `  ${i.code}: ${i.message}${i.item && !i.message.includes(i.item) ? ` (${i.item})` : ''}`),
  ];
}

/** `group/version/resource` as velero's resource list keys read, `v1/configmaps` for the core group. */
export function resourceKey(item: Pick<BackupResourceItem, 'group' | 'version' | 'resource'>): string {
  return item.group ? `${item.group}/${item.version}/${item.resource}` : `${item.version}/${item.resource}`;
}

function objectName(item: Pick<BackupResourceItem, 'namespace' | 'name'>): string {
  return item.namespace ? `${item.namespace}/${item.name}` : item.name;
}

/** velero's "Resource List:" block: items grouped by type, sorted. */
export function resourceList(items: readonly BackupResourceItem[]): string[] {
  const byKey = new Map<string, string[]>();
  for (const item of items) {
    const key = resourceKey(item);
    const names = byKey.get(key) ?? [];
    names.push(objectName(item));
    byKey.set(key, names);
  }
  const out = ['Resource List:'];
  if (byKey.size === 0) out.push(`  ${NONE}`);
  for (const key of [...byKey.keys()].sort()) {
    out.push(`  ${key}:`);
    for (const name of byKey.get(key)!.sort()) out.push(`    - ${name}`);
  }
  return out;
}

/** ` (step WaitAgent: waiting for the cluster agent)` while a task runs, as `velero describe` shows progress. */
function stepNote(step: string | undefined): string {
  if (!step) return '';
  return step === 'WaitAgent' ? ' (step WaitAgent: waiting for the cluster agent)' : ` (step ${step})`;
}

export function describeBackup(
  b: Backup,
  options: { details?: boolean; resources?: BackupResourceItem[] } = {},
): string {
  const s = b.spec;
  const st = b.status;
  const lines = [
    `Name:         ${b.name}`,
    `Phase:        ${st.phase}${stepNote(st.step)}`,
    ...(st.failureReason ? [`Reason:       ${st.failureReason}`] : []),
    '',
    `Cluster:      ${s.cluster || NONE}`,
    `Vault:        ${s.vault}`,
    `Backup Type:  ${s.backupType}`,
    '',
    'Namespaces:',
    `  Included:  ${list(s.includedNamespaces, '*')}`,
    `  Excluded:  ${list(s.excludedNamespaces)}`,
    '',
    'Resources:',
    `  Included:        ${list(s.includedResources, '*')}`,
    `  Excluded:        ${list(s.excludedResources)}`,
    `  Cluster-scoped:  ${s.includeClusterResources === undefined ? 'auto' : s.includeClusterResources ? 'included' : 'excluded'}`,
    '',
    `Label selector:     ${selector(s.labelSelector)}`,
    ...(s.orLabelSelectors ? [`Or label selectors: ${s.orLabelSelectors.map(selector).join(' or ')}`] : []),
    '',
    `TTL:  ${s.ttl}`,
    '',
    `Started:     ${timestamp(st.startTimestamp)}`,
    `Completed:   ${timestamp(st.completionTimestamp)}`,
    `Expiration:  ${timestamp(st.expiration)}`,
    '',
    `Total items to be backed up:  ${st.progress.totalItems}`,
    `Items backed up:              ${st.progress.itemsBackedUp}`,
    '',
    ...issues('Errors', st.errors, options.details ?? false),
    ...issues('Warnings', st.warnings, options.details ?? false),
    '',
    `Temporal UI:  ${st.links.temporalUi ?? NONE}`,
  ];
  if (options.resources) lines.push('', ...resourceList(options.resources));
  return lines.join('\n') + '\n';
}

function mapping(m: Record<string, string> | undefined): string {
  return m && Object.keys(m).length > 0
    ? Object.entries(m)
        .map(([k, v]) => `${k}:${v}`)
        .join(', ')
    : NONE;
}

/** Restore items grouped by outcome, failed first: what `restore describe --details` lists. */
export function restoreItemLines(items: readonly RestoreItem[]): string[] {
  const order = ['failed', 'skipped', 'updated', 'created'] as const;
  const out = ['Items:'];
  if (items.length === 0) out.push(`  ${NONE}`);
  for (const outcome of order) {
    const group = items.filter((i) => i.outcome === outcome);
    if (group.length === 0) continue;
    out.push(`  ${outcome} (${group.length}):`);
    const sorted = [...group].sort(
      (a, b) => resourceKey(a).localeCompare(resourceKey(b)) || objectName(a).localeCompare(objectName(b)),
    );
    for (const i of sorted) {
      out.push(`    - ${resourceKey(i)} ${objectName(i)}${i.reason ? `: ${i.reason}` : ''}`);
    }
  }
  return out;
}

export function describeRestore(r: Restore, options: { details?: boolean; items?: RestoreItem[] } = {}): string {
  const s = r.spec;
  const st = r.status;
  const lines = [
    `Name:     ${r.name}`,
    `Phase:    ${st.phase}${stepNote(st.step)}`,
    ...(st.failureReason ? [`Reason:   ${st.failureReason}`] : []),
    '',
    `Backup:   ${s.backupName}`,
    `Cluster:  ${s.cluster}`,
    '',
    'Namespaces:',
    `  Included:  ${list(s.includedNamespaces, 'all namespaces found in the backup')}`,
    `  Excluded:  ${list(s.excludedNamespaces)}`,
    '',
    'Resources:',
    `  Included:  ${list(s.includedResources, '*')}`,
    `  Excluded:  ${list(s.excludedResources)}`,
    '',
    `Namespace mappings:      ${mapping(s.namespaceMapping)}`,
    `StorageClass mappings:   ${mapping(s.storageClassMapping)}`,
    `Label selector:          ${selector(s.labelSelector)}`,
    `Existing resource policy: ${s.existingResourcePolicy}`,
    '',
    `Started:    ${timestamp(st.startTimestamp)}`,
    `Completed:  ${timestamp(st.completionTimestamp)}`,
    '',
    `Total items to be restored:  ${st.progress.totalItems}`,
    `Items restored:              ${st.progress.itemsRestored}`,
    '',
    ...issues('Errors', st.errors, options.details ?? false),
    ...issues('Warnings', st.warnings, options.details ?? false),
    '',
    `Temporal UI:  ${st.links.temporalUi ?? NONE}`,
  ];
  if (options.items) lines.push('', ...restoreItemLines(options.items));
  return lines.join('\n') + '\n';
}

export function restoresTable(restores: readonly Restore[]): string {
  return table(
    ['NAME', 'BACKUP', 'STATUS', 'STARTED', 'COMPLETED', 'ERRORS', 'WARNINGS', 'CLUSTER'],
    restores.map((r) => [
      r.name,
      r.spec.backupName,
      r.status.phase,
      timestamp(r.status.startTimestamp),
      timestamp(r.status.completionTimestamp),
      String(r.status.errors.length),
      String(r.status.warnings.length),
      r.spec.cluster,
    ]),
  );
}

export function clustersTable(clusters: readonly Cluster[]): string {
  return table(
    ['NAME', 'AGENT', 'VERSION', 'NODES', 'ZONES'],
    clusters.map((c) => [
      c.name,
      c.status.agentConnected ? 'Connected' : 'Disconnected',
      c.status.kubernetesVersion ?? NONE,
      c.status.nodes === null ? NONE : String(c.status.nodes),
      list(c.status.zones),
    ]),
  );
}

export function vaultsTable(vaults: readonly Vault[]): string {
  return table(
    ['NAME', 'BACKEND', 'LOCATION', 'PHASE', 'LAST VALIDATED', 'ENCRYPTED', 'IMMUTABLE', 'MESSAGE'],
    vaults.map((v) => [
      v.name,
      v.spec.backend,
      v.spec.backend === 'filesystem'
        ? (v.spec.path ?? '')
        : `${v.spec.bucket ?? ''}${v.spec.prefix ? `/${v.spec.prefix}` : ''}`,
      v.status.phase,
      timestamp(v.status.lastValidated),
      v.status.protection.keyRef ? `key ring ${v.status.protection.keyRef}` : 'no',
      v.status.protection.retentionDays === null ? 'no' : `${v.status.protection.retentionDays}d`,
      v.status.message ?? '',
    ]),
  );
}

export function schedulesTable(schedules: readonly Schedule[]): string {
  return table(
    ['NAME', 'STATUS', 'SCHEDULE', 'NEXT RUN', 'LAST BACKUP', 'CLUSTER', 'VAULT'],
    schedules.map((s) => [
      s.name,
      s.status.paused ? 'Paused' : 'Enabled',
      s.spec.schedule,
      timestamp(s.status.nextRuns[0]),
      s.status.lastBackup?.name ?? NONE,
      s.spec.template.cluster,
      s.spec.template.vault,
    ]),
  );
}

export function describeDeleteRequest(d: DeleteRequest): string {
  return (
    [
      `Name:      ${d.name}`,
      `Deletes:   ${d.spec.deleteObjectType} ${d.spec.deleteObjectName}`,
      `Phase:     ${d.status.phase}`,
      ...(d.status.failureReason ? [`Reason:    ${d.status.failureReason}`] : []),
      `Started:   ${timestamp(d.status.startTimestamp)}`,
      `Completed: ${timestamp(d.status.completionTimestamp)}`,
      `Temporal UI:  ${d.status.links.temporalUi ?? NONE}`,
    ].join('\n') + '\n'
  );
}

export interface ProgressTask {
  name: string;
  status: { phase: string; progress: Record<string, number>; failureReason?: string | null };
}

/** `backup nginx-1: InProgress, 120/340 items backed up, 12s` — one line for --wait. */
export function progressLine(kind: 'backup' | 'restore', task: ProgressTask, elapsedMs: number): string {
  const p = task.status.progress;
  const done = kind === 'backup' ? p.itemsBackedUp : p.itemsRestored;
  const total = p.totalItems ?? 0;
  const verb = kind === 'backup' ? 'backed up' : 'restored';
  const items = total > 0 || (done ?? 0) > 0 ? `, ${done ?? 0}/${total} items ${verb}` : '';
  const reason = task.status.failureReason ? `: ${task.status.failureReason}` : '';
  return `${kind} ${task.name}: ${task.status.phase}${items}, ${shortDuration(elapsedMs)}${reason}`;
}

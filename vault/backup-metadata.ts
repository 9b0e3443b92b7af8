// velero-backup.json: the Backup object as Velero persists it next to the tarball. Velero's
// backup sync and the managed backup center read it to list a vault's backups, so we write the
// same document and keep our own facts in annotations, which they carry along untouched.
// Pure: workflows build the document, activities write it.

import { z } from 'zod';
import { BACKUP_FORMAT_VERSION } from './layout.js';

export const VELERO_API_VERSION = 'velero.io/v1';
export const VELERO_NAMESPACE = 'velero';
/** Velero labels every backup with its storage location's name (pkg/apis/velero/v1/labels_annotations.go). */
export const STORAGE_LOCATION_LABEL = 'velero.io/storage-location';

export const BackupAnnotation = {
  cluster: 'backup-center.io/cluster',
  backupType: 'backup-center.io/backup-type',
  /**
   * Set when a cluster other than the backup's own deletes it: the data stays, the backup is no
   * longer listed (the FAQ: "the backup file in the OSS bucket is labeled but not deleted").
   */
  deletedByCluster: 'backup-center.io/deleted-by-cluster',
} as const;

/** The phases this project writes; Velero-made backups may carry others (`Deleting`, `FinalizingPartiallyFailed`…). */
export type BackupPhase = 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed';
/** Phases a restore may start from; in-progress and failed backups are never offered. */
export const RESTORABLE_PHASES: readonly string[] = ['Completed', 'PartiallyFailed'];

const stringList = z.array(z.string()).nullish();

export const labelSelectorSchema = z.looseObject({
  matchLabels: z.record(z.string(), z.string()).nullish(),
  matchExpressions: z.array(z.looseObject({ key: z.string(), operator: z.string(), values: stringList })).nullish(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

// Loose objects everywhere: a Velero-made document has many more fields (hooks, snapshotVolumes,
// volumeSnapshotLocations…), and rewriting it (markDeleted) must not drop them.
export const veleroBackupSchema = z.looseObject({
  apiVersion: z.literal(VELERO_API_VERSION),
  kind: z.literal('Backup'),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: z.record(z.string(), z.string()).nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
  }),
  spec: z
    .looseObject({
      includedNamespaces: stringList,
      excludedNamespaces: stringList,
      includedResources: stringList,
      excludedResources: stringList,
      labelSelector: labelSelectorSchema.nullish(),
      orLabelSelectors: z.array(labelSelectorSchema).nullish(),
      includeClusterResources: z.boolean().nullish(),
      /** A Go duration string, e.g. `720h0m0s`. */
      ttl: z.string().nullish(),
      storageLocation: z.string().nullish(),
    })
    .default({}),
  status: z
    .looseObject({
      /** Deprecated by Velero in favour of formatVersion, still written as 1. */
      version: z.number().int().nullish(),
      formatVersion: z.string().nullish(),
      phase: z.string().nullish(),
      startTimestamp: z.string().nullish(),
      completionTimestamp: z.string().nullish(),
      expiration: z.string().nullish(),
      progress: z
        .looseObject({ totalItems: z.number().int().nullish(), itemsBackedUp: z.number().int().nullish() })
        .nullish(),
      errors: z.number().int().nullish(),
      warnings: z.number().int().nullish(),
    })
    .default({}),
});
export type VeleroBackup = z.infer<typeof veleroBackupSchema>;

export interface BackupSpecInput {
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  labelSelector?: LabelSelector;
  orLabelSelectors?: LabelSelector[];
  includeClusterResources?: boolean;
  ttl?: string;
}

export interface NewBackupMetadata {
  name: string;
  /** The vault's name: Velero's storage location. */
  storageLocation: string;
  cluster: string;
  backupType?: string;
  spec?: BackupSpecInput;
  phase: BackupPhase;
  startTimestamp: string | Date;
  completionTimestamp?: string | Date;
  expiration?: string | Date;
  progress?: { totalItems: number; itemsBackedUp: number };
  errors?: number;
  warnings?: number;
  labels?: Record<string, string>;
}

export function newBackupMetadata(input: NewBackupMetadata): VeleroBackup {
  const annotations: Record<string, string> = { [BackupAnnotation.cluster]: input.cluster };
  if (input.backupType !== undefined) annotations[BackupAnnotation.backupType] = input.backupType;
  const status: VeleroBackup['status'] = {
    version: 1,
    formatVersion: BACKUP_FORMAT_VERSION,
    phase: input.phase,
    startTimestamp: kubeTime(input.startTimestamp),
  };
  if (input.completionTimestamp !== undefined) status.completionTimestamp = kubeTime(input.completionTimestamp);
  if (input.expiration !== undefined) status.expiration = kubeTime(input.expiration);
  if (input.progress !== undefined) status.progress = { ...input.progress };
  if (input.errors !== undefined) status.errors = input.errors;
  if (input.warnings !== undefined) status.warnings = input.warnings;
  return {
    apiVersion: VELERO_API_VERSION,
    kind: 'Backup',
    metadata: {
      name: input.name,
      namespace: VELERO_NAMESPACE,
      labels: { ...input.labels, [STORAGE_LOCATION_LABEL]: input.storageLocation },
      annotations,
    },
    spec: { ...input.spec, storageLocation: input.storageLocation },
    status,
  };
}

/** Reads a velero-backup.json document (ours or Velero's); throws naming the offending fields. */
export function parseBackupMetadata(json: unknown): VeleroBackup {
  const parsed = veleroBackupSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid velero-backup.json: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function serializeBackupMetadata(backup: VeleroBackup): string {
  return `${JSON.stringify(backup, null, 2)}\n`;
}

/**
 * The deletion mark of a backup deleted while an immutable vault still retained it: no cluster
 * name (a DNS label) looks like it. The retention GC removes such a backup once its retention ends;
 * a mark by another cluster (the FAQ's) keeps the data for good.
 */
export const RETAINED_DELETION = '(retained)';

export function deletedByCluster(backup: VeleroBackup): string | undefined {
  return backup.metadata.annotations?.[BackupAnnotation.deletedByCluster];
}

/** A copy carrying the deleted mark; everything else, unknown fields included, is kept. */
export function withDeletedMark(backup: VeleroBackup, byCluster: string): VeleroBackup {
  return {
    ...backup,
    metadata: {
      ...backup.metadata,
      annotations: { ...backup.metadata.annotations, [BackupAnnotation.deletedByCluster]: byCluster },
    },
  };
}

export function isRestorable(backup: VeleroBackup): boolean {
  return RESTORABLE_PHASES.includes(backup.status.phase ?? '') && deletedByCluster(backup) === undefined;
}

/** RFC 3339 in whole seconds, the way Kubernetes serializes metav1.Time. */
export function kubeTime(t: string | Date): string {
  const date = typeof t === 'string' ? new Date(t) : t;
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp ${String(t)}`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

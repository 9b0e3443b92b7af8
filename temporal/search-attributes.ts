import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Custom search attributes upserted by every task workflow at each phase change, so the Temporal
// Web UI can list and filter tasks ("running backups of cluster a"). They must be registered on
// the server before use: servers/temporal.ts does it for the dev server.
export const TaskTypeKey = defineSearchAttributeKey('BackupCenterTaskType', SearchAttributeType.KEYWORD);
export const PhaseKey = defineSearchAttributeKey('BackupCenterPhase', SearchAttributeType.KEYWORD);
export const BackupNameKey = defineSearchAttributeKey('BackupCenterBackup', SearchAttributeType.KEYWORD);
export const ClusterKey = defineSearchAttributeKey('BackupCenterCluster', SearchAttributeType.KEYWORD);
export const VaultKey = defineSearchAttributeKey('BackupCenterVault', SearchAttributeType.KEYWORD);

export const allSearchAttributes = [TaskTypeKey, PhaseKey, BackupNameKey, ClusterKey, VaultKey];

/** Set by the server on every run a Schedule starts: the run's nominal time (whole seconds). */
export const ScheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

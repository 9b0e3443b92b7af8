// Every workflow type the control worker registers.
export { ClusterProbeWorkflow } from './cluster-probe.js';
export { BackupWorkflow } from './backup.js';
export { RestoreWorkflow } from './restore.js';
export { VaultWorkflow, VaultRegistryWorkflow } from './vault.js';
export { DeleteWorkflow } from './delete.js';
export { ScheduledBackupWorkflow } from './scheduled-backup.js';
export { RetentionWorkflow } from './retention.js';

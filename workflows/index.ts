// Every workflow type the control worker registers.
export { ClusterProbeWorkflow } from './cluster-probe.js';
export { BackupWorkflow } from './backup.js';
export { RestoreWorkflow } from './restore.js';

// Failure codes and the wording of the managed backup center's FAQ, so a user of that product
// recognises the message; the code beside it is stable for machines.
export const ErrorCode = {
  VaultUnavailable: 'VaultUnavailable',
  BackupAlreadyExists: 'BackupAlreadyExists',
  NoTargetNamespace: 'NoTargetNamespace',
  SubtaskTimeout: 'SubtaskTimeout',
  CreateResourcesTimeout: 'CreateResourcesTimeout',
  StorageClassNotExists: 'StorageClassNotExists',
  UnsupportedProvisioner: 'UnsupportedProvisioner',
  MultiZoned: 'MultiZoned',
  CrossRegionUnsupported: 'CrossRegionUnsupported',
  AccessMode: 'AccessMode',
  ItemFailed: 'ItemFailed',
  NoCommonApiVersion: 'NoCommonApiVersion',
  BackupNotFound: 'BackupNotFound',
  BackupNotRestorable: 'BackupNotRestorable',
  AgentAbsent: 'AgentAbsent',
  InvalidSpec: 'InvalidSpec',
  Internal: 'Internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const messages = {
  vaultUnavailable: (cause: string) => `VaultError: backup vault is unavailable: ${cause}`,
  backupAlreadyExists: (backend: string) => `backup already exists in ${backend === 'oss' ? 'OSS bucket' : 'vault'}`,
  noTargetNamespace: () => 'get target namespace failed',
  subtaskTimeout: (subtask: string) => `backup process timeout: subtask ${subtask} did not finish in time`,
  createResourcesTimeout: (what: string) => `create cluster resources timeout: ${what}`,
  storageClassNotExists: (name: string) => `storageclass ${name} not exists`,
  agentAbsent: (cluster: string) =>
    `The components are abnormal: no cluster agent is polling task queue cluster-${cluster}`,
  internal: () => 'internal error',
} as const;

/** One failed or warned item of a task, as served in `status.errors` / `status.warnings`. */
export interface TaskIssue {
  code: ErrorCode | string;
  message: string;
  item?: string;
}

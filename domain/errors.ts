// The error catalogue: every failure a task or the API reports, with its stable code (for
// machines), the managed backup center's FAQ wording (so its users recognise the message) and
// whether retrying can help. Activities throw with these codes as failure types; the Temporal
// contract derives its non-retryable lists from `retryable`, so an unknown or transient error stays
// retryable by default. Pure: no zod, so workflow code imports it cheaply.

interface CatalogueEntry {
  /** False when a retry cannot change the outcome (bad input, a state only a person can change). */
  retryable: boolean;
  /** The FAQ's wording, or what the message says when the FAQ has none. */
  says: string;
}

export const errorCatalogue = {
  InvalidSpec: { retryable: false, says: 'the spec is invalid: <field>: <problem>' },
  VaultUnavailable: { retryable: false, says: 'VaultError: backup vault is unavailable: <cause>' },
  BackupAlreadyExists: { retryable: false, says: 'backup already exists in OSS bucket (in vault, for other backends)' },
  BackupNotFound: { retryable: false, says: 'backup <name> not found in any vault' },
  BackupNotRestorable: { retryable: false, says: 'backup <name> is <phase>: only completed backups can be restored' },
  NoTargetNamespace: { retryable: false, says: 'get target namespace failed' },
  AgentAbsent: { retryable: false, says: 'The components are abnormal: no cluster agent is polling <queue>' },
  SubtaskTimeout: { retryable: false, says: 'backup process timeout: subtask <step> did not finish in time' },
  CreateResourcesTimeout: { retryable: false, says: 'create cluster resources timeout: <what>' },
  StorageClassNotExists: { retryable: false, says: 'storageclass <name> not exists' },
  UnsupportedProvisioner: {
    retryable: false,
    says: 'only support convert to storageclass with CSI diskplugin or nasplugin provisioner',
  },
  MultiZoned: { retryable: false, says: 'current cluster is multi-zoned' },
  CrossRegionUnsupported: {
    retryable: false,
    says: 'only disk type PVs support cross-region restore in current version',
  },
  AccessMode: { retryable: false, says: 'accessMode of PVC <name> is <mode>' },
  NameAlreadyUsed: { retryable: false, says: 'The name is already used. Change the name and try again' },
  VaultIoFailed: {
    retryable: true,
    says: '<check|upload|download> backup files <in|to|from> OSS bucket failed: <object>: <cause>',
  },
  ObjectRetained: {
    retryable: false,
    says: 'delete backup files from <bucket> failed: <object>: the object is under retention (immutable vault)',
  },
  EncryptionKey: {
    retryable: false,
    says: 'cannot decrypt <object>: it was encrypted with key <id>, which key ring <ref> does not hold',
  },
  VaultPrefixConflict: { retryable: false, says: "a vault's prefix may not be the parent or child of another's" },
  VaultNotFound: { retryable: false, says: 'vault <name> not found' },
  VaultConfigured: { retryable: false, says: 'vault <name> is preconfigured; remove it from the configuration' },
  NotBuilt: { retryable: false, says: '<feature> is not built yet' },
  ItemFailed: { retryable: true, says: '<item>: <reason>' },
  NoCommonApiVersion: { retryable: true, says: 'no API version of <resource> is served by both clusters' },
  MarkedDeleted: { retryable: true, says: 'backup <name> was made by cluster <a>: marked deleted, data kept' },
  Warning: { retryable: true, says: '<item>: <what was done instead>' },
  Terminated: { retryable: false, says: "the task's workflow was terminated" },
  Cancelled: { retryable: false, says: 'the task was cancelled' },
  TimedOut: { retryable: false, says: "the task's workflow timed out" },
  Internal: { retryable: true, says: 'internal error' },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;
export const ErrorCode = Object.fromEntries(Object.keys(errorCatalogue).map((k) => [k, k])) as {
  readonly [K in ErrorCode]: K;
};

/** Failure types no retry can fix: the activity option presets never retry them. */
export const nonRetryableErrorCodes: readonly ErrorCode[] = (Object.keys(errorCatalogue) as ErrorCode[]).filter(
  (code) => !errorCatalogue[code].retryable,
);

/** The FAQ's messages with their blanks filled. */
export const messages = {
  vaultUnavailable: (cause: string) => `VaultError: backup vault is unavailable: ${cause}`,
  backupAlreadyExists: (backend: string) => `backup already exists in ${backend === 'oss' ? 'OSS bucket' : 'vault'}`,
  noTargetNamespace: () => 'get target namespace failed',
  subtaskTimeout: (subtask: string) => `backup process timeout: subtask ${subtask} did not finish in time`,
  createResourcesTimeout: (what: string) => `create cluster resources timeout: ${what}`,
  storageClassNotExists: (name: string) => `storageclass ${name} not exists`,
  agentAbsent: (cluster: string) =>
    `The components are abnormal: no cluster agent is polling task queue cluster-${cluster}`,
  nameAlreadyUsed: (what: string) => `The name is already used. Change the name and try again: ${what}`,
  internal: () => 'internal error',
} as const;

/**
 * A failure with its catalogue code, thrown by code that knows nothing of Temporal (the vault, the
 * Kubernetes client). Temporal reports an Error's `name` as the failure type, so the activity option
 * presets retry it exactly when the catalogue says it is retryable.
 */
export class TaskError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

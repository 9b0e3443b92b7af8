// The backup center's configuration: one YAML file (path in BACKUP_CENTER_CONFIG) plus the
// environment overrides of config/load.ts. Every key has a default, so an empty file (or none)
// runs a local development setup. See config/example.yaml for the documented file.

import { z } from 'zod';
import { ROLES } from '../domain/roles.js';
import { NameSchema } from '../domain/values.js';
import { VaultCreateSchema } from '../domain/vault.js';

const POSITIVE_INTEGER = 'expected a positive integer';

function positiveInteger(defaultValue: number) {
  return z
    .number({ error: POSITIVE_INTEGER })
    .int(POSITIVE_INTEGER)
    .positive(POSITIVE_INTEGER)
    .max(Number.MAX_SAFE_INTEGER, POSITIVE_INTEGER)
    .default(defaultValue);
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/]+):\d{1,5}$/;

export const TemporalConfigSchema = z.strictObject({
  /** `host:port` of the Temporal frontend. */
  address: z.string({ error: 'expected host:port' }).regex(HOST_PORT, 'expected host:port').default('localhost:7233'),
  namespace: z
    .string({ error: 'expected a Temporal namespace name' })
    .min(1, 'expected a Temporal namespace name')
    .default('default'),
  /** Base URL of the Temporal Web UI for `status.links.temporalUi`; null when there is none. */
  uiUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL or null' })
    .nullable()
    .default('http://localhost:8233'),
});

export const ApiConfigSchema = z.strictObject({
  port: z
    .number({ error: 'expected a port number (0-65535)' })
    .int('expected a port number (0-65535)')
    .min(0, 'expected a port number (0-65535)')
    .max(65535, 'expected a port number (0-65535)')
    .default(8080),
  host: z
    .string({ error: 'expected a host name or address' })
    .min(1, 'expected a host name or address')
    .default('0.0.0.0'),
});

/** Worker slots per task kind, after the FAQ's `backup_max_worker_num`, `restore_max_worker_num`, …. */
export const ConcurrencyConfigSchema = z.strictObject({
  backup: positiveInteger(5),
  restore: positiveInteger(5),
  delete: positiveInteger(5),
  schedule: positiveInteger(5),
  convert: positiveInteger(5),
});

export const ClusterConfigSchema = z
  .strictObject({
    name: NameSchema,
    /** Path of a kubeconfig file; relative paths resolve against the configuration file's directory. */
    kubeconfig: z.string({ error: 'expected a file path' }).min(1, 'expected a file path').optional(),
    /** Context of the kubeconfig; its current context by default. */
    context: z.string({ error: 'expected a context name' }).min(1, 'expected a context name').optional(),
    /** Use the service account of the pod the agent runs in. */
    inCluster: z.boolean({ error: 'expected true or false' }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.inCluster === true && (c.kubeconfig !== undefined || c.context !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['inCluster'], message: 'cannot be combined with kubeconfig or context' });
    }
  });

export const TokenConfigSchema = z.strictObject({
  name: z.string({ error: 'expected a name for the token holder' }).min(1, 'expected a name for the token holder'),
  sha256: z
    .string({ error: 'expected a SHA-256 hex digest' })
    .regex(/^[0-9a-fA-F]{64}$/, 'expected a SHA-256 hex digest (64 hex characters; see api/hash-token.ts)')
    .transform((s) => s.toLowerCase()),
  role: z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` }),
});

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function unique<T>(
  items: readonly T[],
  key: (t: T) => string,
  ctx: z.RefinementCtx,
  path: (i: number) => PropertyKey[],
  what: string,
) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} ${JSON.stringify(k)}` });
    seen.add(k);
  });
}

export const ConfigSchema = z
  .strictObject({
    temporal: TemporalConfigSchema.prefault({}),
    api: ApiConfigSchema.prefault({}),
    /** Start-to-close timeout of every activity that touches a cluster (the FAQ's velero_timeout_minutes). */
    subtaskTimeoutMinutes: positiveInteger(60),
    /** How long a restore waits for created resources to become ready. */
    resourceReadyTimeoutMinutes: positiveInteger(10),
    /** A cluster activity silent this long is presumed dead (its agent killed) and retried on another agent. */
    heartbeatTimeoutSeconds: positiveInteger(15),
    /**
     * How long a task waits for its cluster's agent (starting, restarting, or not yet seen by a
     * restarted Temporal) before failing with "The components are abnormal". At most 240: the
     * wait runs in one control activity of 5 minutes (temporal/activity-options.ts MAX_AGENT_GRACE_SECONDS).
     */
    agentGraceSeconds: z
      .number({ error: 'expected an integer from 0 to 240' })
      .int('expected an integer from 0 to 240')
      .min(0, 'expected an integer from 0 to 240')
      .max(240, 'expected an integer from 0 to 240')
      .default(60),
    /** Staged uploads (of writers killed mid-upload) untouched this long are removed by the vault validation. */
    stagingMaxAgeMinutes: positiveInteger(60),
    concurrency: ConcurrencyConfigSchema.prefault({}),
    /** Namespace the backup center's own objects live in, in every cluster. */
    ownNamespace: NameSchema.default('backup-center'),
    /** Directory under which relative `path`s of filesystem vaults resolve. */
    vaultRoot: z
      .string({ error: 'expected a directory path' })
      .min(1, 'expected a directory path')
      .default('.run/vaults'),
    /** Key rings of client-side encrypted vaults: `<keysDir>/<keyRef>`. */
    keysDir: z.string({ error: 'expected a directory path' }).min(1, 'expected a directory path').default('.run/keys'),
    /** Directories other than vaultRoot where filesystem vaults created through the API may live. */
    allowedVaultRoots: z
      .array(z.string({ error: 'expected a directory path' }).min(1, 'expected a directory path'), {
        error: 'expected a list of directory paths',
      })
      .default([]),
    /** Hosts of s3/oss endpoints allowed although link-local or cloud metadata addresses (169.254.0.0/16, …). */
    allowedVaultEndpoints: z
      .array(z.string({ error: 'expected a host' }).min(1, 'expected a host'), { error: 'expected a list of hosts' })
      .default([]),
    clusters: z.array(ClusterConfigSchema, { error: 'expected a list of clusters' }).default([]),
    /** Vaults created at start (as `POST /v1/vaults` would). */
    vaults: z.array(VaultCreateSchema, { error: 'expected a list of vaults' }).default([]),
    tokens: z.array(TokenConfigSchema, { error: 'expected a list of tokens' }).default([]),
    /** Provisioners of disk volumes: their PVCs below minDiskSizeGiB grow to it on restore (the FAQ's 20 GiB rule). */
    diskProvisioners: z
      .array(z.string({ error: 'expected a provisioner name' }).min(1, 'expected a provisioner name'), {
        error: 'expected a list of provisioner names',
      })
      .default(['diskplugin.csi.alibabacloud.com']),
    minDiskSizeGiB: positiveInteger(20),
    logLevel: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  })
  .superRefine((c, ctx) => {
    unique(
      c.clusters,
      (x) => x.name,
      ctx,
      (i) => ['clusters', i, 'name'],
      'cluster name',
    );
    unique(
      c.vaults,
      (x) => x.name,
      ctx,
      (i) => ['vaults', i, 'name'],
      'vault name',
    );
    unique(
      c.tokens,
      (x) => x.name,
      ctx,
      (i) => ['tokens', i, 'name'],
      'token name',
    );
    unique(
      c.tokens,
      (x) => x.sha256,
      ctx,
      (i) => ['tokens', i, 'sha256'],
      'token hash',
    );
  });

export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type TemporalConfig = Config['temporal'];
export type ApiConfig = Config['api'];
export type ConcurrencyConfig = Config['concurrency'];
export type ClusterConfig = Config['clusters'][number];
export type TokenConfig = Config['tokens'][number];
export type LogLevel = (typeof LOG_LEVELS)[number];

// Loads the configuration: the YAML file named by BACKUP_CENTER_CONFIG (optional), then the
// environment overrides below, validated by config/schema.ts. An invalid configuration throws a
// ConfigError whose message names every bad key, one per line:
//   config: concurrency.backup: expected a positive integer
//   config: api.port (from BC_API_PORT): expected a port number (0-65535)

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { formatPath, validate } from '../domain/validation.js';
import { endpointRefusal, rootConfinement } from '../domain/vault-location.js';
import { ConfigSchema, type Config } from './schema.js';

/** The environment variable holding the configuration file's path. */
export const CONFIG_PATH_ENV = 'BACKUP_CENTER_CONFIG';

export interface EnvOverride {
  env: string;
  path: readonly string[];
  type: 'string' | 'integer' | 'list';
  description: string;
}

/**
 * Environment variables that override keys of the file. An empty value counts as unset.
 * `list` values are comma-separated.
 */
export const ENV_OVERRIDES: readonly EnvOverride[] = [
  {
    env: 'BC_TEMPORAL_ADDRESS',
    path: ['temporal', 'address'],
    type: 'string',
    description: 'host:port of the Temporal frontend',
  },
  { env: 'BC_TEMPORAL_NAMESPACE', path: ['temporal', 'namespace'], type: 'string', description: 'Temporal namespace' },
  {
    env: 'BC_TEMPORAL_UI_URL',
    path: ['temporal', 'uiUrl'],
    type: 'string',
    description: 'base URL of the Temporal Web UI',
  },
  { env: 'BC_API_PORT', path: ['api', 'port'], type: 'integer', description: 'port the REST API listens on' },
  { env: 'BC_API_HOST', path: ['api', 'host'], type: 'string', description: 'address the REST API listens on' },
  {
    env: 'BC_SUBTASK_TIMEOUT_MINUTES',
    path: ['subtaskTimeoutMinutes'],
    type: 'integer',
    description: 'timeout of each cluster subtask (velero_timeout_minutes)',
  },
  {
    env: 'BC_RESOURCE_READY_TIMEOUT_MINUTES',
    path: ['resourceReadyTimeoutMinutes'],
    type: 'integer',
    description: 'how long a restore waits for resources to be ready',
  },
  {
    env: 'BC_CONCURRENCY_BACKUP',
    path: ['concurrency', 'backup'],
    type: 'integer',
    description: 'concurrent backup tasks per worker',
  },
  {
    env: 'BC_CONCURRENCY_RESTORE',
    path: ['concurrency', 'restore'],
    type: 'integer',
    description: 'concurrent restore tasks per worker',
  },
  {
    env: 'BC_CONCURRENCY_DELETE',
    path: ['concurrency', 'delete'],
    type: 'integer',
    description: 'concurrent delete tasks per worker',
  },
  {
    env: 'BC_CONCURRENCY_SCHEDULE',
    path: ['concurrency', 'schedule'],
    type: 'integer',
    description: 'concurrent scheduled backups per worker',
  },
  {
    env: 'BC_CONCURRENCY_CONVERT',
    path: ['concurrency', 'convert'],
    type: 'integer',
    description: 'concurrent StorageClass conversions per worker',
  },
  {
    env: 'BC_OWN_NAMESPACE',
    path: ['ownNamespace'],
    type: 'string',
    description: "namespace of the backup center's own objects",
  },
  {
    env: 'BC_KEYS_DIR',
    path: ['keysDir'],
    type: 'string',
    description: 'directory of the key rings of encrypted vaults',
  },
  {
    env: 'BC_VAULT_ROOT',
    path: ['vaultRoot'],
    type: 'string',
    description: 'directory for relative filesystem vault paths',
  },
  {
    env: 'BC_DISK_PROVISIONERS',
    path: ['diskProvisioners'],
    type: 'list',
    description: 'comma-separated disk provisioners (20 GiB rule)',
  },
  {
    env: 'BC_MIN_DISK_SIZE_GIB',
    path: ['minDiskSizeGiB'],
    type: 'integer',
    description: 'minimum size of a restored disk volume',
  },
  {
    env: 'BC_HEARTBEAT_TIMEOUT_SECONDS',
    path: ['heartbeatTimeoutSeconds'],
    type: 'integer',
    description: 'how long a silent cluster activity runs before it is retried elsewhere',
  },
  {
    env: 'BC_AGENT_GRACE_SECONDS',
    path: ['agentGraceSeconds'],
    type: 'integer',
    description: "how long a task waits for its cluster's agent",
  },
  {
    env: 'BC_STAGING_MAX_AGE_MINUTES',
    path: ['stagingMaxAgeMinutes'],
    type: 'integer',
    description: 'age after which staged uploads are swept',
  },
  {
    env: 'BC_LOG_LEVEL',
    path: ['logLevel'],
    type: 'string',
    description: 'fatal, error, warn, info, debug, trace or silent',
  },
];

export interface ConfigIssue {
  path: string;
  message: string;
  /** The environment variable the bad value came from, if any. */
  env?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  readonly source: string | undefined;

  constructor(issues: readonly ConfigIssue[], source?: string) {
    super(
      issues.map((i) => `config: ${i.path}${i.env === undefined ? '' : ` (from ${i.env})`}: ${i.message}`).join('\n'),
    );
    this.issues = issues;
    this.source = source;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function envValue(o: EnvOverride, raw: string): unknown {
  switch (o.type) {
    case 'integer':
      // Anything that is not plainly an integer stays a string, so validation names the key.
      return /^[+-]?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'string':
      return raw;
  }
}

/**
 * Returns a copy of `raw` with the environment overrides applied, and which key came from
 * which variable. A non-mapping on the way to an overridden key is left for validation to name.
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  env: Env,
): { value: Record<string, unknown>; origins: Map<string, string> } {
  const value = structuredClone(raw);
  const origins = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const text = env[o.env];
    if (text === undefined || text === '') continue;
    let node: Record<string, unknown> = value;
    let ok = true;
    for (const key of o.path.slice(0, -1)) {
      const next = node[key];
      if (next === undefined || next === null) node[key] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        ok = false;
        break;
      }
      node = node[key] as Record<string, unknown>;
    }
    if (!ok) continue;
    node[o.path[o.path.length - 1] ?? ''] = envValue(o, text);
    origins.set(formatPath(o.path), o.env);
  }
  return { value, origins };
}

export interface ParseConfigOptions {
  env?: Env;
  /** Where the text came from, for messages. */
  source?: string;
  /** Directory that relative paths resolve against; the current directory by default. */
  baseDir?: string;
}

function expandHome(path: string, env: Env): string {
  const home = env.HOME;
  return home !== undefined && (path === '~' || path.startsWith('~/')) ? home + path.slice(1) : path;
}

function resolvePaths(config: Config, baseDir: string, env: Env): Config {
  const abs = (p: string) => {
    const expanded = expandHome(p, env);
    return isAbsolute(expanded) ? expanded : resolve(baseDir, expanded);
  };
  return {
    ...config,
    vaultRoot: abs(config.vaultRoot),
    keysDir: abs(config.keysDir),
    allowedVaultRoots: config.allowedVaultRoots.map(abs),
    clusters: config.clusters.map((c) => (c.kubeconfig === undefined ? c : { ...c, kubeconfig: abs(c.kubeconfig) })),
  };
}

/** Validates an already-parsed configuration object (plus environment overrides). */
export function configFromObject(raw: unknown, options: ParseConfigOptions = {}): Config {
  const env = options.env ?? {};
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError([{ path: '(root)', message: 'expected a mapping of keys' }], options.source);
  }
  const { value, origins } = applyEnvOverrides((raw ?? {}) as Record<string, unknown>, env);
  const result = validate(ConfigSchema, value);
  if (!result.success) {
    throw new ConfigError(
      result.errors.map((e) => {
        const origin = origins.get(e.path);
        return origin === undefined
          ? { path: e.path, message: e.message }
          : { path: e.path, message: e.message, env: origin };
      }),
      options.source,
    );
  }
  const endpoints = result.data.vaults.flatMap((v, i): ConfigIssue[] => {
    const refusal =
      v.endpoint === undefined ? undefined : endpointRefusal(v.endpoint, result.data.allowedVaultEndpoints);
    return refusal === undefined ? [] : [{ path: formatPath(['vaults', i, 'endpoint']), message: refusal }];
  });
  if (endpoints.length > 0) throw new ConfigError(endpoints, options.source);
  const config = resolvePaths(result.data, options.baseDir ?? process.cwd(), env);
  // Configured filesystem vaults obey the same roots as those created through the API.
  const roots = [config.vaultRoot, ...config.allowedVaultRoots];
  const outside = config.vaults.flatMap((v, i): ConfigIssue[] => {
    if (v.backend !== 'filesystem' || v.path === undefined) return [];
    const refusal = rootConfinement(resolve(config.vaultRoot, v.path), roots);
    return refusal === undefined ? [] : [{ path: formatPath(['vaults', i, 'path']), message: refusal }];
  });
  if (outside.length > 0) throw new ConfigError(outside, options.source);
  return config;
}

/** Parses YAML text and validates it (plus environment overrides). */
export function parseConfig(yamlText: string, options: ParseConfigOptions = {}): Config {
  const doc = parseDocument(yamlText, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const where = e.linePos?.[0] ? ` at line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
        const reason = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return { path: '(file)', message: `${options.source ?? 'YAML'}: invalid YAML${where}: ${reason}` };
      }),
      options.source,
    );
  }
  return configFromObject(doc.toJS() as unknown, options);
}

export interface LoadConfigOptions {
  env?: Env;
  /** The file; `env.BACKUP_CENTER_CONFIG` by default. No file means defaults plus environment. */
  path?: string;
  cwd?: string;
  readFile?: (path: string) => string;
}

/** Loads the configuration of this process: the file named by BACKUP_CENTER_CONFIG, then the environment. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const given = options.path ?? env[CONFIG_PATH_ENV];
  if (given === undefined || given === '') return configFromObject({}, { env, baseDir: cwd });
  const file = resolve(cwd, given);
  let text: string;
  try {
    text = (options.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError([{ path: '(file)', message: `cannot read ${file} (${CONFIG_PATH_ENV}): ${reason}` }], file);
  }
  return parseConfig(text, { env, source: file, baseDir: dirname(file) });
}

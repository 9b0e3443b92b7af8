// Command-line parsing of the `bc` client, without I/O: flags as velero spells them, turned into
// the REST API's request bodies. The API validates the bodies (and lists every invalid field);
// this module only refuses what it cannot turn into a body at all.

import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Every flag of every command; each command says which of them it takes. */
export const OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
  wait: { type: 'boolean', short: 'w' },
  'poll-interval': { type: 'string' },
  details: { type: 'boolean' },
  // backups and schedule templates
  cluster: { type: 'string' },
  vault: { type: 'string' },
  'backup-type': { type: 'string' },
  'include-namespaces': { type: 'string', multiple: true },
  'exclude-namespaces': { type: 'string', multiple: true },
  'include-resources': { type: 'string', multiple: true },
  'exclude-resources': { type: 'string', multiple: true },
  selector: { type: 'string', short: 'l' },
  'or-selector': { type: 'string', multiple: true },
  'include-cluster-resources': { type: 'boolean' },
  'no-include-cluster-resources': { type: 'boolean' },
  ttl: { type: 'string' },
  phase: { type: 'string' },
  // restores
  'from-backup': { type: 'string' },
  'namespace-mappings': { type: 'string', multiple: true },
  'storage-class-mappings': { type: 'string', multiple: true },
  'existing-resource-policy': { type: 'string' },
  'preserve-nodeports': { type: 'boolean' },
  'restore-volumes': { type: 'boolean' },
  // schedules
  schedule: { type: 'string' },
  paused: { type: 'boolean' },
  // vaults
  backend: { type: 'string' },
  path: { type: 'string' },
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  network: { type: 'string' },
  'path-style': { type: 'boolean' },
  'encryption-key-ref': { type: 'string' },
  'server-side-encryption': { type: 'string' },
  'sse-key-id': { type: 'string' },
  'immutable-days': { type: 'string' },
  'immutable-mode': { type: 'string' },
} as const;

export type Flags = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K] extends { type: 'boolean' }
      ? boolean
      : string;
};

export interface ParsedArgs {
  /** `backup create`, `schedule pause`, `delete backup`, … */
  words: string[];
  flags: Flags;
}

/** Booleans velero writes as `--flag=true|false`; `--flag=false` becomes `--no-flag`. */
const OPTIONAL_BOOLEANS = ['include-cluster-resources'];

function normalizeBooleans(argv: readonly string[]): string[] {
  return argv.map((arg) => {
    for (const name of OPTIONAL_BOOLEANS) {
      if (arg === `--${name}=true`) return `--${name}`;
      if (arg === `--${name}=false`) return `--no-${name}`;
    }
    return arg;
  });
}

export function parseCommandLine(argv: readonly string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: normalizeBooleans(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    return { words: positionals, flags: values as Flags };
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** Refuses flags a command does not take, naming them. */
export function checkFlags(command: string, flags: Flags, allowed: readonly (keyof Flags)[]): void {
  const always: readonly (keyof Flags)[] = ['server', 'token', 'output', 'help'];
  const extra = Object.keys(flags).filter(
    (k) => !always.includes(k as keyof Flags) && !allowed.includes(k as keyof Flags),
  );
  if (extra.length > 0) {
    throw new UsageError(`${command} does not take ${extra.map((f) => `--${f}`).join(', ')}`);
  }
}

/** `a,b` and repeated flags (`--x a --x b,c`) as one list; undefined when absent. */
export function parseList(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const items = values
    .flatMap((v) => v.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items;
}

/** `from:to,from2:to2` (velero's mapping flags) as an object; undefined when absent. */
export function parseMapping(flag: string, values: readonly string[] | undefined): Record<string, string> | undefined {
  const pairs = parseList(values);
  if (pairs === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf(':');
    if (i <= 0 || i === pair.length - 1 || pair.indexOf(':', i + 1) >= 0) {
      throw new UsageError(`--${flag}: ${JSON.stringify(pair)} is not <from>:<to>`);
    }
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** A duration such as `2s` or `500ms` for --poll-interval, in milliseconds. */
export function parseInterval(text: string | undefined, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  if (!m) throw new UsageError(`--poll-interval: ${JSON.stringify(text)} is not a duration such as 2s or 500ms`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
  if (ms < 100) throw new UsageError('--poll-interval: must be at least 100ms');
  return ms;
}

function setIf(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** The backup spec flags (`backup create`, `schedule create`) as a BackupSpec body. */
export function backupSpecFromFlags(flags: Flags): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  setIf(spec, 'cluster', flags.cluster);
  setIf(spec, 'vault', flags.vault);
  setIf(spec, 'backupType', flags['backup-type']);
  setIf(spec, 'includedNamespaces', parseList(flags['include-namespaces']));
  setIf(spec, 'excludedNamespaces', parseList(flags['exclude-namespaces']));
  setIf(spec, 'includedResources', parseList(flags['include-resources']));
  setIf(spec, 'excludedResources', parseList(flags['exclude-resources']));
  setIf(spec, 'labelSelector', flags.selector);
  // A selector holds commas itself, so each --or-selector is one selector.
  setIf(spec, 'orLabelSelectors', flags['or-selector']);
  if (flags['include-cluster-resources'] && flags['no-include-cluster-resources']) {
    throw new UsageError('--include-cluster-resources is given as both true and false');
  }
  if (flags['include-cluster-resources']) spec.includeClusterResources = true;
  if (flags['no-include-cluster-resources']) spec.includeClusterResources = false;
  setIf(spec, 'ttl', flags.ttl);
  return spec;
}

export const BACKUP_SPEC_FLAGS: readonly (keyof Flags)[] = [
  'cluster',
  'vault',
  'backup-type',
  'include-namespaces',
  'exclude-namespaces',
  'include-resources',
  'exclude-resources',
  'selector',
  'or-selector',
  'include-cluster-resources',
  'no-include-cluster-resources',
  'ttl',
];

/** `backup create NAME …` → POST /v1/backups body. */
export function backupCreateBody(name: string, flags: Flags): Record<string, unknown> {
  return { name, ...backupSpecFromFlags(flags) };
}

export const RESTORE_FLAGS: readonly (keyof Flags)[] = [
  'from-backup',
  'cluster',
  'include-namespaces',
  'exclude-namespaces',
  'include-resources',
  'exclude-resources',
  'selector',
  'namespace-mappings',
  'storage-class-mappings',
  'existing-resource-policy',
  'preserve-nodeports',
  'restore-volumes',
];

/** `restore create NAME --from-backup B …` → POST /v1/restores body. */
export function restoreCreateBody(name: string, flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = { name };
  setIf(body, 'backupName', flags['from-backup']);
  setIf(body, 'cluster', flags.cluster);
  setIf(body, 'includedNamespaces', parseList(flags['include-namespaces']));
  setIf(body, 'excludedNamespaces', parseList(flags['exclude-namespaces']));
  setIf(body, 'includedResources', parseList(flags['include-resources']));
  setIf(body, 'excludedResources', parseList(flags['exclude-resources']));
  setIf(body, 'labelSelector', flags.selector);
  setIf(body, 'namespaceMapping', parseMapping('namespace-mappings', flags['namespace-mappings']));
  setIf(body, 'storageClassMapping', parseMapping('storage-class-mappings', flags['storage-class-mappings']));
  setIf(body, 'existingResourcePolicy', flags['existing-resource-policy']);
  setIf(body, 'preserveNodePorts', flags['preserve-nodeports']);
  setIf(body, 'restorePVs', flags['restore-volumes']);
  return body;
}

/** `schedule create NAME --schedule S …` → POST /v1/schedules body. */
export function scheduleCreateBody(name: string, flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = { name };
  setIf(body, 'schedule', flags.schedule);
  setIf(body, 'paused', flags.paused);
  body.template = backupSpecFromFlags(flags);
  return body;
}

export const VAULT_FLAGS: readonly (keyof Flags)[] = [
  'backend',
  'path',
  'bucket',
  'prefix',
  'region',
  'endpoint',
  'network',
];

/** Flags of `vault create` that become nested fields of the body. */
export const VAULT_PROTECTION_FLAGS: readonly (keyof Flags)[] = [
  'path-style',
  'encryption-key-ref',
  'server-side-encryption',
  'sse-key-id',
  'immutable-days',
  'immutable-mode',
];

/** `vault create NAME --backend B …` → POST /v1/vaults body; the API validates what the flags say. */
export function vaultCreateBody(name: string, flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = { name };
  for (const key of VAULT_FLAGS) setIf(body, key, flags[key]);
  setIf(body, 'pathStyle', flags['path-style']);
  if (flags['encryption-key-ref'] !== undefined) body.encryption = { keyRef: flags['encryption-key-ref'] };
  if (flags['server-side-encryption'] !== undefined || flags['sse-key-id'] !== undefined) {
    const sse: Record<string, unknown> = {};
    setIf(sse, 'type', flags['server-side-encryption']);
    setIf(sse, 'keyId', flags['sse-key-id']);
    body.serverSideEncryption = sse;
  }
  if (flags['immutable-days'] !== undefined || flags['immutable-mode'] !== undefined) {
    const days = flags['immutable-days'];
    const immutable: Record<string, unknown> = {};
    // A number the API can judge; anything else is passed as written so its 400 names the field.
    setIf(immutable, 'days', days !== undefined && /^\d+$/.test(days) ? Number(days) : days);
    setIf(immutable, 'mode', flags['immutable-mode']);
    body.immutable = immutable;
  }
  return body;
}

/** `conversion create BACKUP --cluster C --storage-class-mappings a:b` → POST /v1/conversions body. */
export function conversionCreateBody(backupName: string, flags: Flags): Record<string, unknown> {
  const body: Record<string, unknown> = { backupName };
  setIf(body, 'cluster', flags.cluster);
  setIf(body, 'storageClassMapping', parseMapping('storage-class-mappings', flags['storage-class-mappings']));
  return body;
}

// The commands of the `bc` client, over the REST API. `run` takes its I/O as arguments so tests
// can drive it against a real API without a terminal.

import type { Backup, BackupResourceItem } from '../domain/backup.js';
import type { Cluster } from '../domain/cluster.js';
import type { DeleteRequest } from '../domain/delete-request.js';
import type { Restore, RestoreItem } from '../domain/restore.js';
import type { Schedule } from '../domain/backup-plan.js';
import type { Vault } from '../domain/vault.js';
import {
  BACKUP_SPEC_FLAGS,
  RESTORE_FLAGS,
  UsageError,
  VAULT_FLAGS,
  VAULT_PROTECTION_FLAGS,
  backupCreateBody,
  checkFlags,
  conversionCreateBody,
  parseCommandLine,
  parseInterval,
  restoreCreateBody,
  scheduleCreateBody,
  vaultCreateBody,
  type Flags,
} from './args.js';
import { ApiClient, ApiError, isTransient, seg, type FetchLike } from './client.js';
import {
  backupsTable,
  clustersTable,
  describeBackup,
  describeDeleteRequest,
  describeRestore,
  progressLine,
  restoresTable,
  schedulesTable,
  vaultsTable,
  type ProgressTask,
} from './format.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: --wait then redraws one line instead of printing each change. */
  isTTY: boolean;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export const DEFAULT_SERVER = 'http://localhost:8080';

export const USAGE = `bc — command-line client of the backup center API

Usage: bc <command> [flags]

  backup create NAME --cluster C --vault V [--include-namespaces a,b] [--exclude-namespaces x]
                [--include-resources r] [--exclude-resources r] [-l SELECTOR | --or-selector S ...]
                [--include-cluster-resources[=true|false]] [--ttl 720h] [--backup-type AppBackup] [--wait]
  backup get [NAME ...] [--vault V] [--cluster C] [--phase P]
  backup describe NAME [--details]        status, errors and warnings, and the resource list
  backup logs NAME
  backup cancel NAME                      stop a running backup: it ends Cancelled, nothing kept
  backup delete NAME
  restore create NAME --from-backup B --cluster C [--namespace-mappings src:dst,...]
                [--include-namespaces ...] [--exclude-namespaces ...] [--include-resources ...]
                [--exclude-resources ...] [-l SELECTOR] [--storage-class-mappings a:b]
                [--existing-resource-policy none|update] [--preserve-nodeports] [--restore-volumes] [--wait]
  restore get NAME ...
  restore describe NAME [--details]       with --details, every item and its outcome
  restore logs NAME
  restore cancel NAME                     stop a running restore: it stops creating, ends Cancelled
  schedule create NAME --schedule "6h30m"|"<cron>" --cluster C --vault V [backup flags] [--paused]
  schedule get [NAME ...]
  schedule pause|resume|trigger|delete NAME
  vault create NAME --backend filesystem|oss|s3 [--path P] [--bucket B] [--prefix P] [--region R]
                [--endpoint URL] [--network internal|public] [--path-style]
                [--encryption-key-ref RING] [--server-side-encryption oss|kms [--sse-key-id K]]
                [--immutable-days N [--immutable-mode compliance|governance]]
  vault get [NAME ...]
  vault delete NAME
  cluster get [NAME ...]
  conversion create BACKUP --cluster C --storage-class-mappings from:to
  conversion get BACKUP
  delete backup|restore|schedule|conversion NAME    a delete request
  delete-request get NAME

Global flags:
  --server URL     the API (default $BC_API_URL, else ${DEFAULT_SERVER})
  --token TOKEN    bearer token (default $BC_API_TOKEN)
  -o json          print the API's JSON instead of tables
  --wait           with create: show progress until the task ends (exit 1 if Failed or Cancelled,
                   2 if PartiallyFailed); an API restart is waited out, reconnecting with backoff
  --poll-interval  how often --wait asks (default 1s)
`;

type Handler = (ctx: Context, args: string[], flags: Flags) => Promise<number>;

interface Context {
  api: ApiClient;
  io: Io;
  json: boolean;
}

function one(command: string, args: string[]): string {
  if (args.length !== 1 || args[0] === undefined) throw new UsageError(`${command} takes exactly one NAME`);
  return args[0];
}

function printJson(ctx: Context, value: unknown): void {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Exit code of a finished task: 0 Completed, 2 PartiallyFailed, 1 Failed. */
export function exitCodeFor(phase: string): number {
  if (phase === 'Completed') return 0;
  if (phase === 'PartiallyFailed') return 2;
  return 1;
}

/** How long --wait keeps reconnecting to an API that does not answer before it gives up. */
export const RECONNECT_GIVE_UP_MS = 15 * 60_000;
const RECONNECT_MAX_DELAY_MS = 30_000;

/**
 * GET `path`, riding out an API restart: a refused connection or a 502/503/504 is retried with
 * backoff (1 s doubling to 30 s), saying so, until the API answers or RECONNECT_GIVE_UP_MS pass.
 */
async function getReconnecting<T>(ctx: Context, path: string, interval: number): Promise<T> {
  let since: number | undefined;
  let delay = Math.max(interval, 1000);
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await ctx.api.get<T>(path);
      if (since !== undefined) ctx.io.err('Reconnected to the backup center API.\n');
      return value;
    } catch (err) {
      if (!isTransient(err)) throw err;
      since ??= ctx.io.now();
      if (ctx.io.now() - since >= RECONNECT_GIVE_UP_MS) throw err;
      const why = err instanceof ApiError ? `HTTP ${err.status}: ${err.message}` : (err as Error).message;
      ctx.io.err(`\n${why}; reconnecting in ${Math.round(delay / 1000)}s (attempt ${attempt})…\n`);
      await ctx.io.sleep(delay);
      delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
    }
  }
}

/** Polls the task until it leaves InProgress, showing one progress line; an API restart is waited out. */
async function waitForTask(
  ctx: Context,
  kind: 'backup' | 'restore',
  path: string,
  flags: Flags,
): Promise<ProgressTask> {
  const interval = parseInterval(flags['poll-interval'], 1000);
  const start = ctx.io.now();
  let last = '';
  let width = 0;
  for (;;) {
    const task = await getReconnecting<ProgressTask>(ctx, path, interval);
    const line = progressLine(kind, task, ctx.io.now() - start);
    const finished = task.status.phase !== 'InProgress';
    if (ctx.io.isTTY) {
      ctx.io.err(`\r${line.padEnd(width)}${finished ? '\n' : ''}`);
      width = Math.max(width, line.length);
    } else if (line.replace(/, \d+[smhd](:|$)/, '$1') !== last.replace(/, \d+[smhd](:|$)/, '$1') || finished) {
      ctx.io.err(`${line}\n`);
    }
    last = line;
    if (finished) return task;
    await ctx.io.sleep(interval);
  }
}

async function getMany<T>(ctx: Context, base: string, names: string[], flagsQuery = ''): Promise<T[]> {
  if (names.length === 0) return (await ctx.api.get<{ items: T[] }>(`${base}${flagsQuery}`)).items;
  return Promise.all(names.map((n) => ctx.api.get<T>(`${base}/${seg(n)}`)));
}

function cancelMessage(kind: 'backup' | 'restore', name: string, phase: string): string {
  if (phase === 'Cancelled') return `The ${kind} "${name}" is already cancelled.\n`;
  const what = kind === 'backup' ? 'its staged files are removed' : 'it stops creating and keeps what it created';
  return `Request to cancel ${kind} "${name}" submitted successfully: ${what}; it ends Cancelled (\`bc ${kind} describe ${name}\`).\n`;
}

const backupCommands: Record<string, Handler> = {
  async create(ctx, args, flags) {
    checkFlags('backup create', flags, [...BACKUP_SPEC_FLAGS, 'wait', 'poll-interval']);
    const name = one('backup create', args);
    const backup = await ctx.api.post<Backup>('/v1/backups', backupCreateBody(name, flags));
    if (ctx.json && !flags.wait) printJson(ctx, backup);
    else ctx.io.out(`Backup request "${name}" submitted successfully.\n`);
    if (!flags.wait) {
      ctx.io.out(`Run \`bc backup describe ${name}\` or \`bc backup logs ${name}\` for more details.\n`);
      return 0;
    }
    const done = await waitForTask(ctx, 'backup', `/v1/backups/${seg(name)}`, flags);
    if (ctx.json) printJson(ctx, done);
    return exitCodeFor(done.status.phase);
  },
  async get(ctx, args, flags) {
    checkFlags('backup get', flags, ['vault', 'cluster', 'phase']);
    const q = new URLSearchParams();
    if (flags.vault) q.set('vault', flags.vault);
    if (flags.cluster) q.set('cluster', flags.cluster);
    if (flags.phase) q.set('phase', flags.phase);
    const query = q.size > 0 ? `?${q}` : '';
    const backups = await getMany<Backup>(ctx, '/v1/backups', args, query);
    if (ctx.json) printJson(ctx, args.length === 1 ? backups[0] : { items: backups });
    else ctx.io.out(backupsTable(backups, ctx.io.now()));
    return 0;
  },
  async describe(ctx, args, flags) {
    checkFlags('backup describe', flags, ['details']);
    const name = one('backup describe', args);
    const backup = await ctx.api.get<Backup>(`/v1/backups/${seg(name)}`);
    let resources: BackupResourceItem[] | undefined;
    if (flags.details && (backup.status.phase === 'Completed' || backup.status.phase === 'PartiallyFailed')) {
      resources = (await ctx.api.get<{ items: BackupResourceItem[] }>(`/v1/backups/${seg(name)}/resources`)).items;
    }
    if (ctx.json) printJson(ctx, resources ? { ...backup, resources } : backup);
    else ctx.io.out(describeBackup(backup, { details: flags.details ?? false, resources }));
    return 0;
  },
  async logs(ctx, args, flags) {
    checkFlags('backup logs', flags, []);
    const name = one('backup logs', args);
    ctx.io.out(await ctx.api.text('GET', `/v1/backups/${seg(name)}/logs`));
    return 0;
  },
  async cancel(ctx, args, flags) {
    checkFlags('backup cancel', flags, []);
    const name = one('backup cancel', args);
    const backup = await ctx.api.post<Backup>(`/v1/backups/${seg(name)}/cancel`);
    if (ctx.json) printJson(ctx, backup);
    else ctx.io.out(cancelMessage('backup', name, backup.status.phase));
    return 0;
  },
  async delete(ctx, args, flags) {
    checkFlags('backup delete', flags, []);
    const name = one('backup delete', args);
    const request = await ctx.api.delete<DeleteRequest>(`/v1/backups/${seg(name)}`);
    if (ctx.json) printJson(ctx, request);
    else ctx.io.out(`Request to delete backup "${name}" submitted successfully (delete request ${request.name}).\n`);
    return 0;
  },
};

const restoreCommands: Record<string, Handler> = {
  async create(ctx, args, flags) {
    checkFlags('restore create', flags, [...RESTORE_FLAGS, 'wait', 'poll-interval']);
    const name = one('restore create', args);
    const restore = await ctx.api.post<Restore>('/v1/restores', restoreCreateBody(name, flags));
    if (ctx.json && !flags.wait) printJson(ctx, restore);
    else ctx.io.out(`Restore request "${name}" submitted successfully.\n`);
    if (!flags.wait) {
      ctx.io.out(`Run \`bc restore describe ${name}\` for more details.\n`);
      return 0;
    }
    const done = await waitForTask(ctx, 'restore', `/v1/restores/${seg(name)}`, flags);
    if (ctx.json) printJson(ctx, done);
    return exitCodeFor(done.status.phase);
  },
  async get(ctx, args, flags) {
    checkFlags('restore get', flags, []);
    if (args.length === 0) throw new UsageError('restore get takes one or more NAMEs (the API lists no restores)');
    const restores = await getMany<Restore>(ctx, '/v1/restores', args);
    if (ctx.json) printJson(ctx, args.length === 1 ? restores[0] : { items: restores });
    else ctx.io.out(restoresTable(restores));
    return 0;
  },
  async logs(ctx, args, flags) {
    checkFlags('restore logs', flags, []);
    const name = one('restore logs', args);
    ctx.io.out(await ctx.api.text('GET', `/v1/restores/${seg(name)}/logs`));
    return 0;
  },
  async cancel(ctx, args, flags) {
    checkFlags('restore cancel', flags, []);
    const name = one('restore cancel', args);
    const restore = await ctx.api.post<Restore>(`/v1/restores/${seg(name)}/cancel`);
    if (ctx.json) printJson(ctx, restore);
    else ctx.io.out(cancelMessage('restore', name, restore.status.phase));
    return 0;
  },
  async describe(ctx, args, flags) {
    checkFlags('restore describe', flags, ['details']);
    const name = one('restore describe', args);
    const restore = await ctx.api.get<Restore>(`/v1/restores/${seg(name)}`);
    const items = flags.details
      ? (await ctx.api.get<{ items: RestoreItem[] }>(`/v1/restores/${seg(name)}/items`)).items
      : undefined;
    if (ctx.json) printJson(ctx, items ? { ...restore, items } : restore);
    else ctx.io.out(describeRestore(restore, { details: flags.details ?? false, items }));
    return 0;
  },
};

function scheduleAction(action: 'pause' | 'resume' | 'trigger'): Handler {
  return async (ctx, args, flags) => {
    checkFlags(`schedule ${action}`, flags, []);
    const name = one(`schedule ${action}`, args);
    const schedule = await ctx.api.post<Schedule>(`/v1/schedules/${seg(name)}/${action}`);
    if (ctx.json) printJson(ctx, schedule);
    else {
      const done = { pause: 'paused', resume: 'resumed', trigger: 'triggered: a backup was started' }[action];
      ctx.io.out(`Schedule "${name}" ${done}.\n`);
    }
    return 0;
  };
}

const scheduleCommands: Record<string, Handler> = {
  async create(ctx, args, flags) {
    checkFlags('schedule create', flags, [...BACKUP_SPEC_FLAGS, 'schedule', 'paused']);
    const name = one('schedule create', args);
    const schedule = await ctx.api.post<Schedule>('/v1/schedules', scheduleCreateBody(name, flags));
    if (ctx.json) printJson(ctx, schedule);
    else ctx.io.out(`Schedule "${name}" created successfully.\n`);
    return 0;
  },
  async get(ctx, args, flags) {
    checkFlags('schedule get', flags, []);
    const schedules = await getMany<Schedule>(ctx, '/v1/schedules', args);
    if (ctx.json) printJson(ctx, args.length === 1 ? schedules[0] : { items: schedules });
    else ctx.io.out(schedulesTable(schedules));
    return 0;
  },
  async describe(ctx, args, flags) {
    checkFlags('schedule describe', flags, []);
    printJson(ctx, await ctx.api.get<Schedule>(`/v1/schedules/${seg(one('schedule describe', args))}`));
    return 0;
  },
  pause: scheduleAction('pause'),
  resume: scheduleAction('resume'),
  trigger: scheduleAction('trigger'),
  async delete(ctx, args, flags) {
    checkFlags('schedule delete', flags, []);
    const name = one('schedule delete', args);
    const request = await ctx.api.delete<unknown>(`/v1/schedules/${seg(name)}`);
    if (ctx.json) printJson(ctx, request);
    else ctx.io.out(`Request to delete schedule "${name}" submitted successfully.\n`);
    return 0;
  },
};

const vaultCommands: Record<string, Handler> = {
  async create(ctx, args, flags) {
    checkFlags('vault create', flags, [...VAULT_FLAGS, ...VAULT_PROTECTION_FLAGS]);
    const name = one('vault create', args);
    const vault = await ctx.api.post<Vault>('/v1/vaults', vaultCreateBody(name, flags));
    if (ctx.json) printJson(ctx, vault);
    else ctx.io.out(`Vault "${name}" created; validation started (phase ${vault.status.phase}).\n`);
    return 0;
  },
  async get(ctx, args, flags) {
    checkFlags('vault get', flags, []);
    const vaults = await getMany<Vault>(ctx, '/v1/vaults', args);
    if (ctx.json) printJson(ctx, args.length === 1 ? vaults[0] : { items: vaults });
    else ctx.io.out(vaultsTable(vaults));
    return 0;
  },
  async delete(ctx, args, flags) {
    checkFlags('vault delete', flags, []);
    const name = one('vault delete', args);
    const vault = await ctx.api.delete<unknown>(`/v1/vaults/${seg(name)}`);
    if (ctx.json) printJson(ctx, vault);
    else ctx.io.out(`Vault "${name}" is being deleted; its name is never reused.\n`);
    return 0;
  },
};

const clusterCommands: Record<string, Handler> = {
  async get(ctx, args, flags) {
    checkFlags('cluster get', flags, []);
    const clusters = await getMany<Cluster>(ctx, '/v1/clusters', args);
    if (ctx.json) printJson(ctx, args.length === 1 ? clusters[0] : { items: clusters });
    else ctx.io.out(clustersTable(clusters));
    return 0;
  },
};

const conversionCommands: Record<string, Handler> = {
  async create(ctx, args, flags) {
    checkFlags('conversion create', flags, ['cluster', 'storage-class-mappings']);
    const backup = one('conversion create', args);
    printJson(ctx, await ctx.api.post<unknown>('/v1/conversions', conversionCreateBody(backup, flags)));
    return 0;
  },
  async get(ctx, args, flags) {
    checkFlags('conversion get', flags, []);
    printJson(ctx, await ctx.api.get<unknown>(`/v1/conversions/${seg(one('conversion get', args))}`));
    return 0;
  },
};

const DELETE_TYPES: Record<string, string> = {
  backup: 'Backup',
  restore: 'Restore',
  schedule: 'Schedule',
  conversion: 'Convert',
};

async function deleteCommand(ctx: Context, words: string[], flags: Flags): Promise<number> {
  checkFlags('delete', flags, []);
  const [what, ...rest] = words;
  const type = what === undefined ? undefined : DELETE_TYPES[what];
  if (type === undefined) throw new UsageError(`delete takes one of ${Object.keys(DELETE_TYPES).join(', ')}`);
  const name = one(`delete ${what}`, rest);
  const request = await ctx.api.post<DeleteRequest>('/v1/delete-requests', {
    deleteObjectName: name,
    deleteObjectType: type,
  });
  if (ctx.json) printJson(ctx, request);
  else ctx.io.out(`Request to delete ${what} "${name}" submitted successfully (delete request ${request.name}).\n`);
  return 0;
}

const deleteRequestCommands: Record<string, Handler> = {
  async get(ctx, args, flags) {
    checkFlags('delete-request get', flags, []);
    const request = await ctx.api.get<DeleteRequest>(`/v1/delete-requests/${seg(one('delete-request get', args))}`);
    if (ctx.json) printJson(ctx, request);
    else ctx.io.out(describeDeleteRequest(request));
    return 0;
  },
};

const GROUPS: Record<string, Record<string, Handler>> = {
  backup: backupCommands,
  restore: restoreCommands,
  schedule: scheduleCommands,
  vault: vaultCommands,
  cluster: clusterCommands,
  conversion: conversionCommands,
  'delete-request': deleteRequestCommands,
};

/** Runs one command line; the exit code: 0 ok, 1 failure, 2 usage error or a PartiallyFailed task. */
export async function run(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: Io,
  fetchImpl?: FetchLike,
): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    io.err(`Error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { words, flags } = parsed;
  if (flags.help || words.length === 0) {
    (flags.help ? io.out : io.err)(USAGE);
    return flags.help ? 0 : 2;
  }
  if (flags.output !== undefined && flags.output !== 'json' && flags.output !== 'table') {
    io.err(`Error: --output must be json or table\n`);
    return 2;
  }
  const server = flags.server ?? env.BC_API_URL ?? DEFAULT_SERVER;
  const token = flags.token ?? env.BC_API_TOKEN;
  const ctx: Context = {
    api: new ApiClient({ server, ...(token ? { token } : {}), ...(fetchImpl ? { fetch: fetchImpl } : {}) }),
    io,
    json: flags.output === 'json',
  };
  const [group, verb, ...args] = words;
  try {
    if (group === 'delete') return await deleteCommand(ctx, words.slice(1), flags);
    const handlers = group === undefined ? undefined : GROUPS[group];
    if (!handlers) throw new UsageError(`unknown command ${JSON.stringify(group)}`);
    const handler = verb === undefined ? undefined : handlers[verb];
    if (!handler) {
      throw new UsageError(`${group} takes one of: ${Object.keys(handlers).join(', ')}`);
    }
    return await handler(ctx, args, flags);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`Error: ${err.message}\nRun \`bc --help\` for usage.\n`);
      return 2;
    }
    if (err instanceof ApiError) {
      io.err(`Error: ${err.describe()}\n`);
      return 1;
    }
    io.err(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

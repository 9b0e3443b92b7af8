// Per-kind concurrency of a worker's activities: the FAQ's backup_max_worker_num,
// restore_max_worker_num, … (config `concurrency.<kind>`). Each kind has one semaphore per
// process; an activity of that kind runs its work holding a slot. While it waits for one it
// heartbeats `{ queued: true, kind, position, limit }`, so the Temporal UI shows it as queued
// (pending activity, heartbeat details) and the server does not take it for dead; a cancelled
// activity leaves the queue.
import { Context } from '@temporalio/activity';
import type { ConcurrencyConfig } from '../config/schema.js';
import { Semaphore } from '../lib/concurrency.js';
import type { Logger } from '../lib/logger.js';

export type ActivityKind = keyof ConcurrencyConfig;

/** Heartbeat details of an activity waiting for a slot of its kind. */
export interface QueuedDetails {
  queued: true;
  kind: ActivityKind;
  /** 1 is next. */
  position: number;
  limit: number;
}

export type Semaphores = { readonly [K in ActivityKind]: Semaphore };

export function semaphoresFor(concurrency: ConcurrencyConfig): Semaphores {
  return {
    backup: new Semaphore(concurrency.backup),
    restore: new Semaphore(concurrency.restore),
    delete: new Semaphore(concurrency.delete),
    schedule: new Semaphore(concurrency.schedule),
    convert: new Semaphore(concurrency.convert),
  };
}

/**
 * Wraps the activities named in `kinds` so each runs holding a slot of its kind's semaphore;
 * the others are returned as they are.
 */
/** An activity's kind, fixed or read from its input (a backup plan's runs say `kind: 'schedule'`). */
export type KindOf = ActivityKind | ((input: unknown) => ActivityKind);

export function limitActivities<A extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: A,
  kinds: Partial<Record<keyof A & string, KindOf>>,
  semaphores: Semaphores,
  opts: { logger?: Logger; heartbeatEveryMs?: number } = {},
): A {
  const out: Record<string, unknown> = { ...activities };
  for (const [name, kindOf] of Object.entries(kinds) as Array<[keyof A & string, KindOf]>) {
    const fn = activities[name];
    if (!fn) throw new Error(`limitActivities: no activity named ${name}`);
    out[name] = async (...args: Parameters<typeof fn>) => {
      const kind = typeof kindOf === 'function' ? kindOf(args[0]) : kindOf;
      const sem = semaphores[kind];
      const ctx = Context.current();
      let queued = false;
      const release = await sem.acquire({
        signal: ctx.cancellationSignal,
        everyMs: opts.heartbeatEveryMs ?? 1_000,
        onQueued: (position) => {
          if (!queued) opts.logger?.info({ activity: name, kind, position, limit: sem.limit }, 'activity queued');
          queued = true;
          const details: QueuedDetails = { queued: true, kind, position, limit: sem.limit };
          ctx.heartbeat(details);
        },
      });
      try {
        if (queued) {
          opts.logger?.info({ activity: name, kind }, 'activity dequeued');
          ctx.heartbeat({ queued: false, kind });
        }
        return await fn(...args);
      } finally {
        release();
      }
    };
  }
  return out as A;
}

/** A backup's cluster work counts as `backup`, or as `schedule` when a backup plan started it. */
function backupKind(input: unknown): ActivityKind {
  return typeof input === 'object' && input !== null && (input as { kind?: unknown }).kind === 'schedule'
    ? 'schedule'
    : 'backup';
}

/** Which cluster-agent activity belongs to which kind (the rest, e.g. clusterInfo, are not limited). */
export const CLUSTER_ACTIVITY_KINDS = {
  planBackup: backupKind,
  backupResources: backupKind,
  restoreResources: 'restore',
} as const satisfies Record<string, KindOf>;

/** Control-queue activities that count as delete work. */
export const CONTROL_ACTIVITY_KINDS = {
  deleteBackupData: 'delete',
  deleteRestoreRecords: 'delete',
} as const satisfies Record<string, ActivityKind>;

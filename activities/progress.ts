import { asyncLocalStorage, Context } from '@temporalio/activity';
import { progressSignal } from '../temporal/messages.js';

/**
 * Reports an activity's counters: every call heartbeats (so a dead worker is noticed and the
 * retry resumes), and at most every `signalEveryMs` the counters are signalled to the workflow,
 * whose status query serves them. Signals are bounded by time, not by objects, so history stays small.
 */
export class ProgressReporter {
  private lastSignal = 0;
  constructor(private readonly signalEveryMs = 5_000) {}

  report(counters: Record<string, number>, details?: unknown): void {
    const ctx = Context.current();
    ctx.heartbeat(details ?? counters);
    const now = Date.now();
    if (now - this.lastSignal < this.signalEveryMs) return;
    this.lastSignal = now;
    const execution = ctx.info.workflowExecution;
    if (!execution) return; // a standalone activity has no workflow to tell
    let client;
    try {
      client = ctx.client;
    } catch {
      return; // no client (a mock environment in benchmarks): heartbeats only
    }
    client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .signal(progressSignal, counters)
      .catch(() => undefined); // progress is advisory; the result carries the final counts
  }
}

/**
 * A heartbeat for loops of a slow step (discovery, reading an archive) that has no counters to
 * report: call it as often as convenient; it heartbeats at most every `everyMs` (the SDK throttles
 * what reaches the server again), so a slow step is not mistaken for a dead worker.
 */
export function throttledHeartbeat(everyMs = 1_000): (details?: unknown) => void {
  const ctx = Context.current();
  let last = 0;
  return (details?: unknown) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    ctx.heartbeat(details);
  };
}

/**
 * Heartbeats every `everyMs` while `work` runs: for a bounded wait with no loop of its own to
 * heartbeat from (the end of an upload), so it is not mistaken for a dead worker.
 */
export async function heartbeatWhile<T>(work: Promise<T>, details?: unknown, everyMs = 1_000): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(details), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/**
 * The same activities, each heartbeating every `everyMs` while it runs: on the control queue every
 * step, quick or not, then shows it is alive, so a killed control worker's step is retried after
 * the heartbeat timeout instead of its whole start-to-close budget. Outside an activity (unit
 * tests) they run as they are.
 */
export function heartbeatingWhileRunning<A extends Record<string, (input: never) => Promise<unknown>>>(
  activities: A,
  everyMs = 5_000,
): A {
  const wrapped: Record<string, (input: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = (input: never) =>
      asyncLocalStorage.getStore() !== undefined ? heartbeatWhile(fn(input), undefined, everyMs) : fn(input);
  }
  return wrapped as A;
}

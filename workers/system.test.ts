// Start-up registration retries until the control worker can serve it, and the SDK's logs land in pino.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { configFromObject } from '../config/load.js';
import { sdkLogger } from '../lib/logger.js';

const registry = vi.hoisted(() => ({ failures: 0, calls: 0 }));
vi.mock('../clients/vault-registry.js', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  registerConfiguredVaults: vi.fn(async () => {
    registry.calls++;
    if (registry.calls <= registry.failures) throw new Error('no poller for the registry yet');
    return [{ name: 'v' }];
  }),
}));
vi.mock('../clients/retention-schedule.js', () => ({ ensureRetentionSchedule: vi.fn(async () => 'created') }));

const { registerAtStart, sdkLevel } = await import('./system.js');

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'trace' }, stream) };
}

const config = configFromObject({ vaults: [{ name: 'v', backend: 'filesystem', path: 'v' }] }); // under vaultRoot
const c = { client: {}, native: {}, close: async () => undefined } as never;

describe('registerAtStart', () => {
  beforeEach(() => {
    registry.calls = 0;
  });

  it('waits for the worker to run, retries with backoff (a warning each), then logs success at info', async () => {
    registry.failures = 3;
    let state = 'INITIALIZED';
    setTimeout(() => (state = 'RUNNING'), 30);
    const { lines, logger } = capture();
    const t0 = Date.now();
    const ok = await registerAtStart(config, c, { getState: () => state as never }, logger, { firstDelayMs: 10 });
    expect(ok).toBe(true);
    expect(registry.calls).toBe(4);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(30 + 10 + 20 + 40 - 5); // waited for RUNNING, then 10, 20, 40 ms
    const warns = lines.filter((l) => l.level === 40);
    expect(warns.map((w) => [w.attempt, w.retryInMs])).toEqual([
      [1, 10],
      [2, 20],
      [3, 40],
    ]);
    expect(lines.filter((l) => l.level === 30).map((l) => l.msg)).toEqual([
      'configured vaults and retention schedule registered',
    ]);
  });

  it('gives up when the process stops', async () => {
    registry.failures = Infinity;
    const stop = new AbortController();
    const { logger } = capture();
    const done = registerAtStart(config, c, { getState: () => 'RUNNING' }, logger, {
      firstDelayMs: 5,
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 30));
    stop.abort();
    expect(await done).toBe(false);
    const calls = registry.calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(registry.calls).toBe(calls);
  });
});

describe('the SDK logger', () => {
  it('writes SDK messages as pino records with their metadata, at the levels of sdkLevel', () => {
    const { lines, logger } = capture();
    const sdk = sdkLogger(logger, sdkLevel);
    sdk.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING', [Symbol('ts')]: 1n });
    sdk.warn('No workflows registered, not polling for workflow tasks', { sdkComponent: 'worker' });
    sdk.warn('Activity failed', { sdkComponent: 'activity', activityType: 'backupResources' });
    sdk.error('core panic', { sdkComponent: 'core' });
    expect(lines.map((l) => [l.level, l.msg, l.sdkComponent])).toEqual([
      [20, 'Worker state changed', 'worker'],
      [20, 'No workflows registered, not polling for workflow tasks', 'worker'],
      [40, 'Activity failed', 'activity'],
      [50, 'core panic', 'core'],
    ]);
    expect(lines[0]!.state).toBe('RUNNING');
    expect(lines[2]!.activityType).toBe('backupResources');
  });

  it("writes the SDK's error with its type, message and stack, not as an empty object", () => {
    const { lines, logger } = capture();
    const err = new Error('backup vault is unavailable');
    err.name = 'VaultUnavailable';
    sdkLogger(logger, sdkLevel).warn('Workflow failed', { sdkComponent: 'worker', error: err });
    const logged = lines[0]!.err as { type?: string; message?: string; stack?: string };
    expect(logged.message).toBe('backup vault is unavailable');
    expect(logged.stack).toMatch(/VaultUnavailable: backup vault is unavailable/);
  });
});

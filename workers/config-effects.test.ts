// Each configuration key that shapes the workers, changed, and its effect observed:
// concurrency.<kind> (per-kind semaphores of the agent and the control worker), diskProvisioners
// and minDiskSizeGiB (the restore's disk rule), through the functions workers/system.ts uses.
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { diskOptions } from '../activities/restore/cluster.js';
import { configFromObject } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { pvcAction } from '../restore-actions/pvc.js';
import { diskPv, diskPvc } from '../restore-actions/testdata/objects.js';
import { run } from '../restore-actions/testdata/run.js';
import {
  CLUSTER_ACTIVITY_KINDS,
  CONTROL_ACTIVITY_KINDS,
  limitActivities,
  semaphoresFor,
  type ActivityKind,
  type QueuedDetails,
} from './activity-limits.js';
import { agentActivitySlots } from './cluster-agent.js';
import { agentSettings } from './system.js';

const config = (input: ConfigInput) => configFromObject(input, { baseDir: '/srv' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fake activities of every limited kind that record when their work runs. */
function recording(workMs: number) {
  const spans: Array<{ name: string; start: number; end: number }> = [];
  const names = [...Object.keys(CLUSTER_ACTIVITY_KINDS), ...Object.keys(CONTROL_ACTIVITY_KINDS)];
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      async (id: string) => {
        const start = performance.now();
        await sleep(workMs);
        spans.push({ name: `${name}:${id}`, start, end: performance.now() });
        return id;
      },
    ]),
  ) as Record<string, (id: string) => Promise<string>>;
  return { spans, activities };
}

/** Most spans overlapping at one instant. */
function maxOverlap(spans: Array<{ start: number; end: number }>): number {
  return Math.max(0, ...spans.map((s) => spans.filter((o) => o.start <= s.start && s.start < o.end).length));
}

/** Runs `n` calls of `activity` at once, each in its own mock activity context; returns their heartbeats. */
async function runConcurrently(fn: (id: string) => Promise<string>, n: number) {
  const heartbeats: unknown[][] = [];
  await Promise.all(
    Array.from({ length: n }, (_, i) => {
      const env = new MockActivityEnvironment();
      const beats: unknown[] = [];
      heartbeats.push(beats);
      env.on('heartbeat', (d: unknown) => beats.push(d));
      return env.run(fn, String(i));
    }),
  );
  return heartbeats;
}

const ACTIVITY_OF: Record<ActivityKind, string | undefined> = {
  backup: 'backupResources',
  restore: 'restoreResources',
  delete: 'deleteBackupData',
  schedule: undefined,
  convert: undefined,
};
const ALL_KINDS = { ...CLUSTER_ACTIVITY_KINDS, ...CONTROL_ACTIVITY_KINDS };

describe('concurrency.<kind>: at most N activities of a kind do their work at once; the rest wait, queued', () => {
  for (const kind of ['backup', 'restore', 'delete'] as const) {
    it(`concurrency.${kind}=1 runs two ${kind}s one after the other; =2 runs them together`, async () => {
      const name = ACTIVITY_OF[kind]!;
      const serial = recording(60);
      const one = limitActivities(
        serial.activities,
        ALL_KINDS,
        semaphoresFor(config({ concurrency: { [kind]: 1 } }).concurrency),
        {
          heartbeatEveryMs: 20,
        },
      );
      const t0 = performance.now();
      const beats = await runConcurrently(one[name]!, 2);
      const serialMs = performance.now() - t0;
      expect(maxOverlap(serial.spans)).toBe(1);
      expect(serialMs).toBeGreaterThanOrEqual(115); // two 60 ms works back to back
      // The second waited, heartbeating that it is queued (first in line), then that it left the queue.
      const queued = beats.find((b) => b.length > 0)!;
      expect(queued[0]).toEqual({ queued: true, kind, position: 1, limit: 1 } satisfies QueuedDetails);
      expect(queued.at(-1)).toEqual({ queued: false, kind });
      expect(beats.filter((b) => b.length === 0)).toHaveLength(1); // the first never queued

      const parallel = recording(60);
      const two = limitActivities(
        parallel.activities,
        ALL_KINDS,
        semaphoresFor(config({ concurrency: { [kind]: 2 } }).concurrency),
      );
      const t1 = performance.now();
      const none = await runConcurrently(two[name]!, 2);
      expect(performance.now() - t1).toBeLessThan(serialMs);
      expect(maxOverlap(parallel.spans)).toBe(2);
      expect(none.flat()).toEqual([]);
    });
  }

  it('kinds are independent: with backup=1, a restore does not wait behind a backup', async () => {
    const r = recording(60);
    const limited = limitActivities(
      r.activities,
      ALL_KINDS,
      semaphoresFor(config({ concurrency: { backup: 1, restore: 1 } }).concurrency),
    );
    await Promise.all([
      new MockActivityEnvironment().run(limited.backupResources!, 'b'),
      new MockActivityEnvironment().run(limited.restoreResources!, 'r'),
    ]);
    expect(maxOverlap(r.spans)).toBe(2);
  });

  it('planBackup and backupResources share the backup slots', async () => {
    const r = recording(40);
    const limited = limitActivities(
      r.activities,
      ALL_KINDS,
      semaphoresFor(config({ concurrency: { backup: 1 } }).concurrency),
    );
    await Promise.all([
      new MockActivityEnvironment().run(limited.planBackup!, 'p'),
      new MockActivityEnvironment().run(limited.backupResources!, 'b'),
    ]);
    expect(maxOverlap(r.spans)).toBe(1);
  });

  it("concurrency.schedule limits a backup plan's runs (input kind 'schedule') apart from other backups", async () => {
    const spans: Array<{ name: string; start: number; end: number }> = [];
    const backupResources = async (input: { id: string; kind?: string }) => {
      const start = performance.now();
      await sleep(60);
      spans.push({ name: `${input.kind ?? 'backup'}:${input.id}`, start, end: performance.now() });
    };
    const limited = limitActivities(
      { backupResources },
      { backupResources: CLUSTER_ACTIVITY_KINDS.backupResources },
      semaphoresFor(config({ concurrency: { backup: 5, schedule: 1 } }).concurrency),
    );
    await Promise.all([
      new MockActivityEnvironment().run(limited.backupResources, { id: '1', kind: 'schedule' }),
      new MockActivityEnvironment().run(limited.backupResources, { id: '2', kind: 'schedule' }),
      new MockActivityEnvironment().run(limited.backupResources, { id: '3' }),
    ]);
    expect(maxOverlap(spans.filter((x) => x.name.startsWith('schedule:')))).toBe(1);
    expect(maxOverlap(spans)).toBe(2); // the manual backup ran beside a scheduled one
  });

  it('a queued activity that is cancelled leaves the queue without running', async () => {
    const r = recording(80);
    const limited = limitActivities(
      r.activities,
      ALL_KINDS,
      semaphoresFor(config({ concurrency: { backup: 1 } }).concurrency),
    );
    const first = new MockActivityEnvironment().run(limited.backupResources!, 'first');
    const env = new MockActivityEnvironment();
    const second = env.run(limited.backupResources!, 'second');
    await sleep(10);
    env.cancel();
    await expect(second).rejects.toThrow();
    await first;
    expect(r.spans.map((s) => s.name)).toEqual(['backupResources:first']);
  });

  it("the agent's worker slots exceed the sum of its limited kinds, so the semaphores decide", () => {
    for (const c of [{}, { backup: 1, restore: 1 }, { backup: 20, restore: 3 }]) {
      const settings = agentSettings(config({ concurrency: c }));
      const { backup, restore } = settings.concurrency;
      expect(settings.maxConcurrentActivityTaskExecutions).toBe(agentActivitySlots(settings.concurrency));
      expect(settings.maxConcurrentActivityTaskExecutions).toBeGreaterThan(backup + restore);
    }
  });
});

describe('diskProvisioners and minDiskSizeGiB reach the restore of a disk PVC', () => {
  const restoredSize = (input: ConfigInput, provisionerOfPvc?: string) => {
    const pv = diskPv('Delete');
    const options = diskOptions(agentSettings(config(input)));
    const r = run(pvcAction, diskPvc(), {
      persistentVolumes: { [pv.metadata.name]: pv },
      // The claim's class as the target cluster reports it.
      ...(provisionerOfPvc ? { storageClassProvisioners: { 'alicloud-disk-essd': provisionerOfPvc } } : {}),
      options,
    });
    return (r.object.spec as { resources: { requests: { storage: string } } }).resources.requests.storage;
  };

  it('defaults: a 10Gi claim on diskplugin.csi.alibabacloud.com becomes 20Gi', () => {
    expect(restoredSize({})).toBe('20Gi');
  });

  it('minDiskSizeGiB: 50 makes it 50Gi; 5 leaves it at 10Gi', () => {
    expect(restoredSize({ minDiskSizeGiB: 50 })).toBe('50Gi');
    expect(restoredSize({ minDiskSizeGiB: 5 })).toBe('10Gi');
  });

  it('diskProvisioners: a listed provisioner gets the rule, one no longer listed does not', () => {
    expect(restoredSize({ diskProvisioners: ['ebs.csi.aws.com'] }, 'ebs.csi.aws.com')).toBe('20Gi');
    expect(restoredSize({ diskProvisioners: ['ebs.csi.aws.com'] })).toBe('10Gi');
  });
});

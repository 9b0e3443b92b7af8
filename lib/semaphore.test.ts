import { describe, expect, it } from 'vitest';
import { Semaphore } from './concurrency.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Semaphore', () => {
  it('lets `limit` holders in at once and queues the rest in arrival order', async () => {
    const sem = new Semaphore(2);
    const order: string[] = [];
    const r1 = await sem.acquire();
    const r2 = await sem.acquire();
    const positions: number[] = [];
    const third = sem.acquire({ onQueued: (p) => positions.push(p) }).then((r) => (order.push('third'), r));
    const fourth = sem.acquire({ onQueued: (p) => positions.push(p) }).then((r) => (order.push('fourth'), r));
    await tick();
    expect(sem.active).toBe(2);
    expect(sem.waiting).toBe(2);
    expect(positions).toEqual([1, 2]);
    r1();
    r1(); // a second release of the same slot does nothing
    const r3 = await third;
    expect(order).toEqual(['third']);
    expect(sem.active).toBe(2);
    r2();
    const r4 = await fourth;
    expect(order).toEqual(['third', 'fourth']);
    r3();
    r4();
    expect(sem.active).toBe(0);
    expect(sem.waiting).toBe(0);
  });

  it('reports the queue position again every `everyMs`, moving up as others leave', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const first = sem.acquire();
    const seen: number[] = [];
    const second = sem.acquire({ onQueued: (p) => seen.push(p), everyMs: 10 });
    await new Promise((r) => setTimeout(r, 35));
    release();
    (await first)();
    await new Promise((r) => setTimeout(r, 0));
    (await second)();
    expect(seen[0]).toBe(2);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it('an aborted waiter leaves the queue and the next one gets the slot', async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const abort = new AbortController();
    const leaving = sem.acquire({ signal: abort.signal });
    const staying = sem.acquire();
    abort.abort(new Error('cancelled'));
    await expect(leaving).rejects.toThrow('cancelled');
    expect(sem.waiting).toBe(1);
    release();
    (await staying)();
    expect(sem.active).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(RangeError);
  });
});

// Bounded parallelism for I/O-bound work: at most `concurrency` calls of `fn` in flight.

/** Runs `fn` over `items` with at most `concurrency` at once; results keep the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

/** A waiter's place in a Semaphore's queue: 1 is next. */
export type QueuePosition = number;

/**
 * At most `limit` holders at once; the rest wait in arrival order. `acquire` resolves to the
 * function that gives the slot back; a waiter can leave the queue through an AbortSignal.
 */
export class Semaphore {
  private held = 0;
  private readonly queue: Array<{ grant: () => void }> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Slots in use. */
  get active(): number {
    return this.held;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Position of the waiter `w` (1-based), or 0 when it holds a slot or left. */
  private positionOf(w: { grant: () => void }): QueuePosition {
    return this.queue.indexOf(w) + 1;
  }

  /**
   * Takes a slot, waiting for one if all are held. While waiting, `onQueued(position)` is called
   * at once and then every `everyMs` (for heartbeats). Rejects with the signal's reason if aborted.
   */
  async acquire(
    opts: { signal?: AbortSignal; onQueued?: (position: QueuePosition) => void; everyMs?: number } = {},
  ): Promise<() => void> {
    opts.signal?.throwIfAborted();
    if (this.held < this.limit && this.queue.length === 0) {
      this.held++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        grant: () => {
          cleanup();
          resolve();
        },
      };
      const tick = () => opts.onQueued?.(this.positionOf(waiter));
      const timer = opts.onQueued ? setInterval(tick, opts.everyMs ?? 1_000) : undefined;
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        cleanup();
        reject(opts.signal?.reason ?? new Error('aborted'));
      };
      const cleanup = () => {
        if (timer) clearInterval(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.queue.push(waiter);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      tick();
    });
    // The slot was handed over by the releaser: `held` already counts it.
    return this.releaser();
  }

  /** Runs `fn` holding a slot. */
  async run<T>(fn: () => Promise<T>, opts?: Parameters<Semaphore['acquire']>[0]): Promise<T> {
    const release = await this.acquire(opts);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next)
        next.grant(); // the slot passes straight to the next waiter
      else this.held--;
    };
  }
}

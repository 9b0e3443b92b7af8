// Compresses gzip members on worker threads. Node's async zlib runs each stream's work on the libuv
// pool but needs the main thread between every step, and a backup's main thread is busy reading
// pages; measured on 2 cores, 80 members of 256 KiB took as long "in parallel" as one after
// another. Worker threads compress each member in one synchronous call, so a member costs the main
// thread two messages and compression runs on the other cores.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// Plain JavaScript, evaluated: a worker started from a .ts file would need the TypeScript loader.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { gzipSync } = require('node:zlib');
parentPort.on('message', ({ id, data, level }) => {
  try {
    const member = new Uint8Array(gzipSync(data, { level })); // own memory, so it can be transferred
    parentPort.postMessage({ id, member }, [member.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});
`;

interface Job {
  resolve: (member: Buffer) => void;
  reject: (err: Error) => void;
}

class PoolWorker {
  readonly jobs = new Map<number, Job>();
  // No inherited flags: a loader or --input-type=module would change how the source is evaluated.
  readonly worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });

  constructor(onGone: (w: PoolWorker) => void) {
    // Idle workers must not keep the process alive; busy ones must, or an awaited job is lost.
    this.worker.unref();
    this.worker.on('message', (msg: { id: number; member?: Uint8Array; error?: string }) => {
      const job = this.jobs.get(msg.id);
      this.jobs.delete(msg.id);
      if (this.jobs.size === 0) this.worker.unref();
      if (!job) return;
      if (msg.member) job.resolve(Buffer.from(msg.member.buffer, msg.member.byteOffset, msg.member.byteLength));
      else job.reject(new Error(`gzip failed: ${msg.error}`));
    });
    const gone = (err: Error) => {
      onGone(this);
      for (const job of this.jobs.values()) job.reject(err);
      this.jobs.clear();
    };
    this.worker.on('error', gone);
    this.worker.on('exit', (code) => gone(new Error(`gzip worker exited with code ${code}`)));
  }
}

export class GzipPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;

  constructor(private readonly size = Math.max(1, Math.min(4, availableParallelism()))) {}

  /**
   * One gzip member of `data`. Large buffers are moved to the worker, not copied: the caller must
   * not touch `data` (or other views of its memory) afterwards.
   */
  gzip(data: Buffer, level: number): Promise<Buffer> {
    const w = this.pick();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      w.jobs.set(id, { resolve, reject });
      w.worker.ref();
      // Buffers of up to a pool's size may share memory with others (Buffer's allocation pool): copied.
      const own = data.buffer.byteLength > Buffer.poolSize;
      w.worker.postMessage({ id, data, level }, own ? [data.buffer as ArrayBuffer] : []);
    });
  }

  private pick(): PoolWorker {
    if (this.workers.length < this.size) {
      const w = new PoolWorker((gone) => this.workers.splice(this.workers.indexOf(gone) >>> 0, 1));
      this.workers.push(w);
      return w;
    }
    return this.workers.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }
}

/** The process's pool, started on first use. */
let shared: GzipPool | undefined;
export function gzipPool(): GzipPool {
  return (shared ??= new GzipPool());
}

// `bc backup|restore cancel`, and --wait riding out an API restart: a real HTTP server that goes
// away after the create (connections refused), comes back answering 503 for a while, then answers.

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Restore } from '../domain/restore.js';
import { RECONNECT_GIVE_UP_MS, run, type Io } from './commands.js';
import { backup } from './testing.js';
import type { FetchLike } from './client.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const hooks: { onSleep?: (ms: number) => Promise<void> } = {};
  const value: Io = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    isTTY: false,
    sleep: async (ms) => {
      now += ms;
      await hooks.onSleep?.(ms);
    },
    now: () => now,
  };
  return { io: value, out, err, hooks };
}

const restore = (phase: Restore['status']['phase']): Restore => ({
  name: 'shop-copy',
  spec: { backupName: 'nginx-1', cluster: 'b', existingResourcePolicy: 'none' },
  status: {
    phase,
    startTimestamp: '2025-01-01T00:00:00.000Z',
    completionTimestamp: null,
    errors: [],
    warnings: [],
    failureReason: null,
    progress: { totalItems: 10, itemsRestored: 4 },
    links: { temporalUi: null },
  },
});

function canned(answers: Array<{ status: number; body: unknown }>) {
  const calls: Array<{ method: string; url: string }> = [];
  const fetchImpl: FetchLike = async (url, init) => {
    calls.push({ method: init.method ?? 'GET', url });
    const next = answers.shift() ?? { status: 500, body: { title: 'no more answers' } };
    return new Response(JSON.stringify(next.body), { status: next.status });
  };
  return { fetchImpl, calls };
}

describe('bc backup cancel / bc restore cancel', () => {
  it('posts to the cancel route and says what happens next', async () => {
    const { fetchImpl, calls } = canned([{ status: 202, body: backup('InProgress', 3, 10) }]);
    const t = io();
    expect(await run(['backup', 'cancel', 'nginx-1'], { BC_API_URL: 'http://api.test' }, t.io, fetchImpl)).toBe(0);
    expect(calls).toEqual([{ method: 'POST', url: 'http://api.test/v1/backups/nginx-1/cancel' }]);
    expect(t.out.join('')).toContain('Request to cancel backup "nginx-1" submitted successfully');
    expect(t.out.join('')).toContain('staged files are removed');
  });

  it('a second cancel is a no-op and says the task is already cancelled', async () => {
    const { fetchImpl } = canned([{ status: 202, body: restore('Cancelled') }]);
    const t = io();
    expect(await run(['restore', 'cancel', 'shop-copy'], {}, t.io, fetchImpl)).toBe(0);
    expect(t.out.join('')).toBe('The restore "shop-copy" is already cancelled.\n');
  });

  it('cancelling a finished task prints the 409 and exits 1', async () => {
    const { fetchImpl, calls } = canned([
      {
        status: 409,
        body: {
          title: 'Conflict',
          status: 409,
          code: 'TaskFinished',
          detail: 'restore "shop-copy" has finished (Completed); only a running task can be cancelled',
        },
      },
    ]);
    const t = io();
    expect(await run(['restore', 'cancel', 'shop-copy'], { BC_API_URL: 'http://api.test' }, t.io, fetchImpl)).toBe(1);
    expect(calls[0]).toEqual({ method: 'POST', url: 'http://api.test/v1/restores/shop-copy/cancel' });
    expect(t.err.join('')).toBe(
      'Error: Conflict (409, TaskFinished): restore "shop-copy" has finished (Completed); only a running task can be cancelled\n',
    );
  });

  it('--wait exits 1 when the task ends Cancelled', async () => {
    const { fetchImpl } = canned([
      { status: 202, body: backup('InProgress', 0, 0) },
      { status: 200, body: backup('Cancelled', 2, 2) },
    ]);
    const t = io();
    expect(await run(['backup', 'create', 'nginx-1', '--wait'], {}, t.io, fetchImpl)).toBe(1);
    expect(t.err.join('')).toContain('backup nginx-1: Cancelled');
  });
});

describe('bc … --wait while the API restarts', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  const listen = (port: number, handler: Parameters<typeof createServer>[1]) =>
    new Promise<Server>((resolve, reject) => {
      const s = createServer(handler);
      servers.push(s);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve(s));
    });
  const stop = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  const send = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));

  it('reconnects with backoff through refused connections and 503s, saying so, and ends with the real outcome', async () => {
    // The API answers the create, then goes away (connections refused).
    const first: Server = await listen(0, (_req, res) => {
      send(res, 202, backup('InProgress', 0, 0));
      res.on('finish', () => void stop(first));
    });
    const port = (first.address() as AddressInfo).port;

    const t = io();
    let refused = 0;
    const seen: string[] = [];
    t.hooks.onSleep = async () => {
      if (/ECONNREFUSED|cannot reach/.test(t.err.at(-1) ?? '')) refused++;
      // After two refused polls the API is back, first answering 503 (still starting), then for real.
      if (refused === 2 && servers.length === 1) {
        let n = 0;
        await listen(port, (req, res) => {
          seen.push(`${req.method} ${req.url}`);
          n++;
          if (n <= 2)
            return send(res, 503, { title: 'Service Unavailable', status: 503, detail: 'Temporal is not reachable' });
          send(res, 200, n === 3 ? backup('InProgress', 5, 10) : backup('Completed', 10, 10));
        });
      }
    };

    const code = await run(['backup', 'create', 'nginx-1', '--wait'], { BC_API_URL: `http://127.0.0.1:${port}` }, t.io);
    const said = t.err.join('');
    expect(code).toBe(0); // the task's real outcome: Completed
    expect(refused).toBe(2);
    expect(seen).toEqual(Array(4).fill('GET /v1/backups/nginx-1'));
    expect(said).toMatch(/cannot reach the backup center API at .*; reconnecting in 1s \(attempt 1\)/);
    expect(said).toMatch(/reconnecting in 2s \(attempt 2\)/);
    expect(said).toMatch(/HTTP 503: Temporal is not reachable; reconnecting in 4s \(attempt 3\)/);
    expect(said).toMatch(/reconnecting in 8s \(attempt 4\)/);
    expect(said).toContain('Reconnected to the backup center API.');
    expect(said).toMatch(/backup nginx-1: Completed, 10\/10 items backed up/);
  });

  it('gives up after RECONNECT_GIVE_UP_MS without an answer, exiting 1 with the last error', async () => {
    const { fetchImpl } = canned([{ status: 202, body: backup('InProgress', 0, 0) }]);
    let down = false;
    const flaky: FetchLike = async (url, init) => {
      if (down) throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:8080') });
      down = true;
      return fetchImpl(url, init);
    };
    const t = io();
    const code = await run(['backup', 'create', 'nginx-1', '--wait'], { BC_API_URL: 'http://api.test' }, t.io, flaky);
    expect(code).toBe(1);
    const said = t.err.join('');
    expect(said).toMatch(/Error: cannot reach the backup center API at http:\/\/api.test: connect ECONNREFUSED/);
    const attempts = said.match(/reconnecting in/g)?.length ?? 0;
    // 1+2+4+8+16 s, then every 30 s until 15 minutes have passed.
    expect(attempts).toBe(5 + Math.ceil((RECONNECT_GIVE_UP_MS - 31_000) / 30_000));
  });
});

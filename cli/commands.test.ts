// The commands over a canned API (a fetch stand-in answering like the real one); the same
// commands run against the real API in test/integration/api.test.ts.

import { describe, expect, it } from 'vitest';
import { backup } from './testing.js';
import { exitCodeFor, run, type Io } from './commands.js';
import type { FetchLike } from './client.js';

function io(isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  let now = 0;
  const value: Io = {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    isTTY,
    sleep: async (ms) => void (now += ms),
    now: () => now,
  };
  return { io: value, out, err };
}

interface Call {
  method: string;
  url: string;
  body?: unknown;
  auth?: string;
}

function api(answers: Array<{ status: number; body: unknown }>) {
  const calls: Call[] = [];
  const fetchImpl: FetchLike = async (url, init) => {
    const headers = init.headers as Record<string, string>;
    calls.push({
      method: init.method ?? 'GET',
      url,
      ...(init.body ? { body: JSON.parse(init.body as string) as unknown } : {}),
      ...(headers.authorization ? { auth: headers.authorization } : {}),
    });
    const next = answers.shift() ?? { status: 500, body: { title: 'no more answers' } };
    return new Response(JSON.stringify(next.body), {
      status: next.status,
      headers: { 'content-type': next.status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  return { fetchImpl, calls };
}

describe('bc backup create --wait', () => {
  it('posts the body, redraws one progress line on a terminal, and exits 0 when Completed', async () => {
    const { fetchImpl, calls } = api([
      { status: 202, body: backup('InProgress', 0, 0) },
      { status: 200, body: backup('InProgress', 5, 20) },
      { status: 200, body: backup('InProgress', 12, 20) },
      { status: 200, body: backup('Completed', 20, 20) },
    ]);
    const t = io(true);
    const code = await run(
      ['backup', 'create', 'nginx-1', '--cluster', 'a', '--vault', 'v', '--include-namespaces', 'shop', '--wait'],
      { BC_API_URL: 'http://api.test/', BC_API_TOKEN: 'tok' },
      t.io,
      fetchImpl,
    );
    expect(code).toBe(0);
    expect(calls[0]).toEqual({
      method: 'POST',
      url: 'http://api.test/v1/backups',
      body: { name: 'nginx-1', cluster: 'a', vault: 'v', includedNamespaces: ['shop'] },
      auth: 'Bearer tok',
    });
    expect(calls.slice(1).map((c) => c.url)).toEqual(Array(3).fill('http://api.test/v1/backups/nginx-1'));
    const drawn = t.err.join('');
    expect(drawn).toContain('\rbackup nginx-1: InProgress, 5/20 items backed up, 0s');
    expect(drawn).toContain('\rbackup nginx-1: InProgress, 12/20 items backed up, 1s');
    expect(drawn).toMatch(/\rbackup nginx-1: Completed, 20\/20 items backed up, 2s *\n$/);
  });

  it('exits 1 with the reason when the backup fails', async () => {
    const { fetchImpl } = api([
      { status: 202, body: backup('InProgress', 0, 0) },
      { status: 200, body: backup('Failed', 0, 0) },
    ]);
    const t = io();
    const code = await run(['backup', 'create', 'nginx-1', '--wait'], {}, t.io, fetchImpl);
    expect(code).toBe(1);
    expect(t.err.join('')).toBe('backup nginx-1: Failed, 0s: get target namespace failed\n');
  });
});

describe('errors', () => {
  it('prints a problem with every invalid field and exits 1', async () => {
    const { fetchImpl } = api([
      {
        status: 400,
        body: {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          code: 'InvalidSpec',
          detail: 'The request has 2 invalid fields: cluster, vault',
          errors: [
            { path: 'cluster', message: 'is required' },
            { path: 'vault', message: 'is required' },
          ],
        },
      },
    ]);
    const t = io();
    expect(await run(['backup', 'create', 'x'], {}, t.io, fetchImpl)).toBe(1);
    expect(t.err.join('')).toBe(
      'Error: Bad Request (400, InvalidSpec): The request has 2 invalid fields: cluster, vault\n  cluster: is required\n  vault: is required\n',
    );
  });

  it('says so when the API cannot be reached', async () => {
    const t = io();
    const code = await run(['backup', 'get'], { BC_API_URL: 'http://api.test' }, t.io, async () => {
      throw new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:8080') });
    });
    expect(code).toBe(1);
    expect(t.err.join('')).toBe(
      'Error: cannot reach the backup center API at http://api.test: connect ECONNREFUSED 127.0.0.1:8080\n',
    );
  });

  it('usage errors exit 2 without calling the API', async () => {
    const { fetchImpl, calls } = api([]);
    for (const argv of [
      ['backup'],
      ['backup', 'explode'],
      ['nothing'],
      ['backup', 'get', '--from-backup', 'x'],
      ['delete', 'vault', 'x'],
      ['restore', 'create', 'a', 'b'],
      [],
    ]) {
      const t = io();
      expect(await run(argv, {}, t.io, fetchImpl), argv.join(' ')).toBe(2);
    }
    expect(calls).toEqual([]);
  });

  it('--help prints the usage and exits 0', async () => {
    const t = io();
    expect(await run(['--help'], {}, t.io)).toBe(0);
    expect(t.out.join('')).toContain('backup create NAME --cluster C --vault V');
  });
});

describe('other commands', () => {
  it('delete backup, restore and schedule are delete requests', async () => {
    const request = (type: string, name: string) => ({
      status: 202,
      body: { name: `${type.toLowerCase()}-${name}`, spec: {}, status: {} },
    });
    const { fetchImpl, calls } = api([request('Restore', 'r1'), request('Backup', 'b1')]);
    const t = io();
    expect(await run(['delete', 'restore', 'r1'], {}, t.io, fetchImpl)).toBe(0);
    expect(await run(['backup', 'delete', 'b1'], {}, t.io, fetchImpl)).toBe(0);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST http://localhost:8080/v1/delete-requests',
      'DELETE http://localhost:8080/v1/backups/b1',
    ]);
    expect(calls[0]?.body).toEqual({ deleteObjectName: 'r1', deleteObjectType: 'Restore' });
    expect(t.out.join('')).toContain('delete request restore-r1');
  });

  it('restore logs prints the text of GET /v1/restores/{name}/logs as it is', async () => {
    const urls: string[] = [];
    const text = 'time="2026-01-02T03:04:05Z" level=info msg="Skipped item" name=a reason="already exists"\n';
    const fetchImpl: FetchLike = async (url) => {
      urls.push(url);
      return new Response(text, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    };
    const t = io();
    expect(await run(['restore', 'logs', 'r1', '--server', 'http://s'], {}, t.io, fetchImpl)).toBe(0);
    expect(urls).toEqual(['http://s/v1/restores/r1/logs']);
    expect(t.out.join('')).toBe(text);
  });

  it('schedule pause posts to the action', async () => {
    const { fetchImpl, calls } = api([{ status: 200, body: {} }]);
    const t = io();
    expect(await run(['schedule', 'pause', 'nightly', '--server', 'http://s'], {}, t.io, fetchImpl)).toBe(0);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'http://s/v1/schedules/nightly/pause' });
    expect(t.out.join('')).toBe('Schedule "nightly" paused.\n');
  });

  it('backup get passes the filters and prints a table; -o json prints the list', async () => {
    const { fetchImpl, calls } = api([
      { status: 200, body: { items: [backup('Completed', 20, 20)] } },
      { status: 200, body: { items: [backup('Completed', 20, 20)] } },
    ]);
    const t = io();
    expect(await run(['backup', 'get', '--cluster', 'a', '--phase', 'Completed'], {}, t.io, fetchImpl)).toBe(0);
    expect(calls[0]?.url).toBe('http://localhost:8080/v1/backups?cluster=a&phase=Completed');
    expect(t.out.join('')).toMatch(/^NAME +STATUS +ERRORS/);
    expect(t.out.join('')).toMatch(/^nginx-1 +Completed +0 +0 +2025-01-01T00:00:00Z/m);
    const j = io();
    expect(await run(['backup', 'get', '-o', 'json'], {}, j.io, fetchImpl)).toBe(0);
    expect(JSON.parse(j.out.join(''))).toEqual({ items: [backup('Completed', 20, 20)] });
  });

  it('maps phases to exit codes', () => {
    expect(exitCodeFor('Completed')).toBe(0);
    expect(exitCodeFor('PartiallyFailed')).toBe(2);
    expect(exitCodeFor('Failed')).toBe(1);
  });
});

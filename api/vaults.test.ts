// POST /v1/vaults against the configuration, through the app (in process): the inputs that
// answered 500, filesystem vaults confined to vaultRoot (or allowedVaultRoots) without symbolic
// links leading out, and endpoints in link-local or metadata ranges. Each refusal is a 400 naming
// the field; an accepted vault reaches the registry (a stand-in that records it).

import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { hashToken } from './auth.js';
import { createApp } from './server.js';
import { inject } from './testing/inject.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'api-vaults-')));
const vaultRoot = join(base, 'vaults');
const elsewhere = join(base, 'elsewhere');
mkdirSync(vaultRoot);
mkdirSync(elsewhere);
symlinkSync(elsewhere, join(vaultRoot, 'link-out'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const TOKEN = 'admin-token';

function app(config: Partial<ConfigInput> = {}) {
  const registered: unknown[] = [];
  const client = {
    options: { namespace: 'default' },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflow: {
      executeUpdateWithStart: async (_update: unknown, options: { args: [{ spec: unknown }] }) => {
        registered.push(options.args[0].spec);
        return { name: (options.args[0].spec as { name: string }).name, spec: options.args[0].spec, state: 'live' };
      },
    },
  } as unknown as Client;
  const served = createApp({
    client,
    config: configFromObject({
      vaultRoot,
      tokens: [{ name: 'admin', sha256: hashToken(TOKEN), role: 'admin' }],
      ...config,
    }),
    logger: pino({ level: 'silent' }),
    vaults: { get: async () => undefined, list: async () => [] },
    temporalUiUrl: '',
  });
  const post = (body: unknown) =>
    inject(served, { method: 'POST', url: '/v1/vaults', headers: { authorization: `Bearer ${TOKEN}` }, body });
  return { post, registered };
}

type Problem = { status: number; errors?: Array<{ path: string; message: string }> };

async function refusedNaming(res: Awaited<ReturnType<ReturnType<typeof app>['post']>>, field: string) {
  expect(res.status, res.text).toBe(400);
  const problem = res.json() as Problem;
  expect(problem.errors?.map((e) => e.path)).toEqual([field]);
  return problem.errors?.[0]?.message ?? '';
}

describe('POST /v1/vaults: inputs that answered 500', () => {
  it.each(['.', './v', 'v/.', '/abs/./v'])('path %j is a 400 naming path, not a 500', async (path) => {
    const { post, registered } = app();
    const message = await refusedNaming(await post({ name: 'v', backend: 'filesystem', path }), 'path');
    expect(message).toBe("must not contain '.' or '..' segments");
    expect(registered).toEqual([]);
  });
});

describe('POST /v1/vaults: filesystem vaults are confined to the vault roots', () => {
  it('accepts a relative path and an absolute path inside vaultRoot', async () => {
    const { post, registered } = app();
    expect((await post({ name: 'rel', backend: 'filesystem', path: 'team-a' })).status).toBe(201);
    expect((await post({ name: 'abs', backend: 'filesystem', path: join(vaultRoot, 'team-b') })).status).toBe(201);
    expect(registered).toHaveLength(2);
  });

  it('refuses an absolute path outside vaultRoot, and vaultRoot itself, naming path', async () => {
    const { post, registered } = app();
    for (const path of [elsewhere, join(elsewhere, 'v'), '/etc', '/', vaultRoot, `${vaultRoot}-x/v`]) {
      const message = await refusedNaming(await post({ name: 'v', backend: 'filesystem', path }), 'path');
      expect(message, path).toMatch(/^must be a directory inside the vault root .*allowedVaultRoots/);
    }
    expect(registered).toEqual([]);
  });

  it('accepts a path under a root the configuration allows (allowedVaultRoots)', async () => {
    const { post, registered } = app({ allowedVaultRoots: [elsewhere] });
    expect((await post({ name: 'v', backend: 'filesystem', path: join(elsewhere, 'v') })).status).toBe(201);
    expect(registered).toEqual([{ name: 'v', backend: 'filesystem', path: join(elsewhere, 'v') }]);
    // Still not the allowed root itself.
    await refusedNaming(await post({ name: 'w', backend: 'filesystem', path: elsewhere }), 'path');
  });

  it('refuses a symbolic link inside vaultRoot that leads out of it, naming path', async () => {
    const { post, registered } = app();
    for (const path of ['link-out', 'link-out/v', join(vaultRoot, 'link-out', 'v')]) {
      const message = await refusedNaming(await post({ name: 'v', backend: 'filesystem', path }), 'path');
      expect(message, path).toMatch(
        new RegExp(`leads out of the vault root ${vaultRoot} through a symbolic link .*-> ${elsewhere}\\)$`),
      );
    }
    expect(registered).toEqual([]);
  });
});

describe('POST /v1/vaults: endpoints in link-local or metadata ranges', () => {
  it.each(['http://169.254.169.254', 'http://[fd00:ec2::254]', 'https://169.254.10.1:9000/'])(
    '%s is a 400 naming endpoint',
    async (endpoint) => {
      const { post, registered } = app();
      const message = await refusedNaming(
        await post({ name: 's', backend: 's3', bucket: 'backups', endpoint }),
        'endpoint',
      );
      expect(message).toMatch(/link-local or cloud metadata address/);
      expect(registered).toEqual([]);
    },
  );

  it('accepts such an endpoint when allowedVaultEndpoints lists its host, and an ordinary one always', async () => {
    const { post } = app({ allowedVaultEndpoints: ['169.254.169.254'] });
    expect(
      (await post({ name: 's', backend: 's3', bucket: 'backups', endpoint: 'http://169.254.169.254' })).status,
    ).toBe(201);
    expect(
      (
        await post({
          name: 'o',
          backend: 'oss',
          bucket: 'bkt',
          region: 'cn-hangzhou',
          endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
        })
      ).status,
    ).toBe(201);
  });
});

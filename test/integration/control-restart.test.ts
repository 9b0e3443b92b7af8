// The control worker runs the vault registry. When it stops (a deploy, a crash), reads must go on:
// the API answers vault and backup reads from Temporal's own records, which need no worker, and a
// new control worker answers the registry again within the read deadline.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createTemporalVaultRegistry, registerVault } from '../../clients/vault-registry.js';
import { vaultLocation } from '../../domain/vault-location.js';
import type { Vault } from '../../domain/vault.js';
import { hashToken } from '../../api/auth.js';
import { createApp } from '../../api/server.js';
import { inject } from '../../api/testing/inject.js';
import { startTestSystem, temporalClient, testConfig, testVault } from './harness.js';

describe('a control worker that stops and comes back', () => {
  it('leaves vault reads answering from Temporal while it is down, and answers the registry again once back', async () => {
    const { vault } = testVault();
    const first = await startTestSystem({ clusters: [], vaults: [] });
    try {
      await registerVault(first.client, { spec: vault, location: vaultLocation(vault, '/') });
    } finally {
      await first.stop();
    }

    // No control worker polls now.
    const { client, close } = await temporalClient();
    try {
      const registry = createTemporalVaultRegistry({ client });
      expect(await registry.get(vault.name)).toMatchObject({ name: vault.name, path: vault.path });
      expect((await registry.list()).map((v) => v.name)).toContain(vault.name);

      const config = testConfig({
        clusters: [],
        vaults: [],
        tokens: [
          { name: 'reader', sha256: hashToken('reader-token'), role: 'viewer' },
          { name: 'admin', sha256: hashToken('admin-token'), role: 'admin' },
        ],
      });
      const app = createApp({ client, config, logger: pino({ level: 'silent' }), vaults: registry, temporalUiUrl: '' });
      const res = await inject(app, {
        url: `/v1/vaults/${vault.name}`,
        headers: { authorization: 'Bearer reader-token' },
      });
      expect(res.status, res.text).toBe(200);
      const body = res.json() as Vault;
      expect(body.spec).toMatchObject({ backend: 'filesystem', path: vault.path });
      expect(body.status.message).toMatch(/control worker/); // the status says why it is unknown

      // A change of the vault set needs the control worker: a 503 that names it, not Temporal.
      const name = `${vault.name}-2`;
      const created = await inject(app, {
        method: 'POST',
        url: '/v1/vaults',
        headers: { authorization: 'Bearer admin-token' },
        body: { name, backend: 'filesystem', path: name }, // under vaultRoot
      });
      expect(created.status, created.text).toBe(503);
      expect(created.json()).toMatchObject({
        code: 'ControlWorkerUnavailable',
        detail: expect.stringMatching(/control worker/),
      });
    } finally {
      await close();
    }

    const second = await startTestSystem({ clusters: [], vaults: [] });
    try {
      const registry = createTemporalVaultRegistry({ client: second.client });
      const started = Date.now();
      expect((await registry.list()).map((v) => v.name)).toContain(vault.name);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await second.stop();
    }
  });
});

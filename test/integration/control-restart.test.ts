// A control worker that stops (a deploy, a crash) leaves the workflows it ran sticky to its queue.
// Queries of the vault registry must still answer within the API's deadline once a new control
// worker polls: otherwise every vault read and backup list answers 503 for a while after a restart.
import { describe, expect, it } from 'vitest';
import { registerVault, vaultEntries } from '../../clients/vault-registry.js';
import { vaultLocation } from '../../domain/vault-location.js';
import { startTestSystem, testVault } from './harness.js';

describe('a control worker restart', () => {
  it('answers vault registry queries within the deadline once the next control worker polls', async () => {
    const { vault } = testVault();
    const first = await startTestSystem({ clusters: [], vaults: [] });
    try {
      await registerVault(first.client, { spec: vault, location: vaultLocation(vault, '/') });
      // The first worker has just run the registry: its next tasks and queries go to its sticky queue.
      expect((await vaultEntries(first.client)).map((e) => e.name)).toContain(vault.name);
    } finally {
      await first.stop();
    }

    const second = await startTestSystem({ clusters: [], vaults: [] });
    try {
      const started = Date.now();
      const entries = await vaultEntries(second.client);
      expect(entries.map((e) => e.name)).toContain(vault.name);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await second.stop();
    }
  });
});

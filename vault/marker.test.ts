import { describe, expect, it } from 'vitest';
import { claimLocation, parseVaultMarker, retiredNames, serializeVaultMarker, type VaultMarker } from './marker.js';

const now = '2025-01-01T00:00:00.000Z';
const live: VaultMarker = { kind: 'BackupCenterVault', name: 'a', createdAt: now, formerVaults: [] };

describe('vault marker', () => {
  it('claims a fresh location and keeps its own marker on a retried creation', () => {
    expect(claimLocation(undefined, 'a', now)).toEqual({ action: 'write', marker: live });
    expect(claimLocation(live, 'a', now)).toEqual({ action: 'keep' });
  });

  it('refuses a location another live vault owns', () => {
    expect(claimLocation(live, 'b', now)).toEqual({ action: 'refuse', message: 'the location belongs to vault a' });
  });

  it('lets a new vault take over a deleted vault location, keeping the retired name', () => {
    const deleted = { ...live, deletedAt: '2025-02-01T00:00:00.000Z' };
    const decision = claimLocation(deleted, 'b', now);
    expect(decision).toEqual({
      action: 'write',
      marker: {
        kind: 'BackupCenterVault',
        name: 'b',
        createdAt: now,
        formerVaults: [{ name: 'a', createdAt: now, deletedAt: deleted.deletedAt }],
      },
    });
    if (decision.action !== 'write') throw new Error('unreachable');
    expect(retiredNames(decision.marker)).toEqual(['a']);
    // Neither the deleted vault's name nor an older retired one comes back.
    expect(claimLocation(deleted, 'a', now)).toMatchObject({ action: 'refuse' });
    expect(claimLocation(decision.marker, 'a', now)).toMatchObject({ action: 'refuse' });
  });

  it('round-trips through JSON and refuses a document of another kind', () => {
    expect(parseVaultMarker(serializeVaultMarker(live))).toEqual(live);
    expect(() => parseVaultMarker('{"kind":"Other","name":"a","createdAt":"x"}')).toThrow(/invalid vault marker/);
  });
});

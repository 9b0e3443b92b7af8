// Test fixtures of the CLI tests.

import type { Backup } from '../domain/backup.js';

/** A backup as the API serves it, in `phase` with `done` of `total` items. */
export const backup = (phase: Backup['status']['phase'], done: number, total: number): Backup => ({
  name: 'nginx-1',
  spec: { cluster: 'a', vault: 'v', backupType: 'AppBackup', ttl: '720h0m0s' },
  status: {
    phase,
    startTimestamp: '2025-01-01T00:00:00.000Z',
    completionTimestamp: null,
    expiration: null,
    errors: [],
    warnings: [],
    failureReason: phase === 'Failed' ? 'get target namespace failed' : null,
    progress: { totalItems: total, itemsBackedUp: done },
    links: { temporalUi: null },
  },
});

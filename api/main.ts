// The REST API as a process: configuration (BACKUP_CENTER_CONFIG and BC_* overrides), a Temporal
// client, the vault registry, then startApi. Stops cleanly on SIGINT and SIGTERM.
//   npx tsx api/main.ts
// Other launchers (npm start, a combined workers/main.ts) call runApiProcess with their config.

import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { createTemporalVaultRegistry } from '../clients/vault-registry.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../lib/logger.js';
import { startApi, type RunningApi } from './server.js';

export async function runApiProcess(config: Config = loadConfig()): Promise<RunningApi & { stop(): Promise<void> }> {
  const logger = createLogger('api');
  logger.level = config.logLevel;
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const api = await startApi({
    client,
    config,
    logger,
    vaults: createTemporalVaultRegistry({ configured: config.vaults, client }),
    temporalUiUrl: config.temporal.uiUrl ?? '',
  });
  const stop = async () => {
    await api.close();
    await connection.close();
  };
  return { ...api, stop };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const running = await runApiProcess();
  process.stdout.write(`Backup Center API: ${running.url} (OpenAPI document at ${running.url}/openapi.json)\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void running.stop().then(() => process.exit(0));
    });
  }
}

import type { Client } from '@temporalio/client';
import { createAgentActivities } from '../activities/agents.js';
import { createVaultActivities } from '../activities/vault/control.js';
import type { VaultRegistry } from '../vault/open.js';
import { createLifecycleActivities } from '../activities/vault/lifecycle.js';
import type { Logger } from '../lib/logger.js';

/** Every activity of the control queue: vault bookkeeping, agent checks, lifecycle (vaults, deletes, retention). */
export function createControlActivities(deps: {
  vaults: VaultRegistry;
  vaultRoot?: string;
  logger: Logger;
  client?: () => Client;
}) {
  return {
    ...createVaultActivities(deps),
    ...createAgentActivities(),
    ...createLifecycleActivities(deps),
  };
}

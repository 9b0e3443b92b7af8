import type { Client } from '@temporalio/client';
import { createAgentActivities } from '../activities/agents.js';
import { heartbeatingWhileRunning } from '../activities/progress.js';
import { createVaultActivities } from '../activities/vault/control.js';
import type { VaultAccess, VaultRegistry } from '../vault/open.js';
import { createLifecycleActivities } from '../activities/vault/lifecycle.js';
import type { Logger } from '../lib/logger.js';

/** Every activity of the control queue: vault bookkeeping, agent checks, lifecycle (vaults, deletes, retention). */
export function createControlActivities(
  deps: VaultAccess & {
    vaults: VaultRegistry;
    allowedVaultRoots?: readonly string[];
    logger: Logger;
    client?: () => Client;
    /** How long a task waits for its cluster's agent (config `agentGraceSeconds`). */
    agentGraceSeconds?: number;
    /** Staged uploads untouched this long are swept by the vault validation (config `stagingMaxAgeMinutes`). */
    stagingMaxAgeMinutes?: number;
  },
) {
  return {
    ...heartbeatingWhileRunning(createVaultActivities(deps)),
    // ensureAgent heartbeats what it waits for itself (the Web UI shows it).
    ...createAgentActivities({ graceSeconds: deps.agentGraceSeconds }),
    ...heartbeatingWhileRunning(createLifecycleActivities(deps)),
  };
}

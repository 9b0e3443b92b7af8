import type { Client } from '@temporalio/client';
import type { VaultRegistry } from '../vault/open.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';

/** What every route module receives: the API holds no state of its own beyond these handles. */
export interface ApiDeps {
  client: Client;
  config: Config;
  logger: Logger;
  /** Vaults from configuration and those created through the API (vault workflows). */
  vaults: VaultRegistry;
  /** Base URL of the Temporal Web UI, for `status.links.temporalUi`. */
  temporalUiUrl: string;
}

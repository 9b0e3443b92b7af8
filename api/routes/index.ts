// The route table of the whole API: every resource module's rows, in the order /openapi.json lists
// them, and the refusals (405) of table paths. createApp mounts exactly this table and serves its
// OpenAPI document.

import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { Refusal, Route } from '../route-table.js';
import { backupRoutes } from './backups.js';
import { clusterRoutes, type ClusterRoutesOptions } from './clusters.js';
import { conversionRoutes } from './conversions.js';
import { deleteRequestRoutes } from './delete-requests.js';
import { notBuiltRoutes } from './not-built.js';
import { restoreRoutes } from './restores.js';
import { scheduleRoutes } from './schedules.js';
import { systemRoutes } from './system.js';
import { VAULT_REFUSALS, vaultRoutes } from './vaults.js';

export interface RouteTableOptions {
  metrics: ApiMetrics;
  clusters?: ClusterRoutesOptions;
  /** Base URL announced in the OpenAPI document. */
  serverUrl?: string;
  /** How long /readyz waits for the Temporal frontend. */
  readyTimeoutMs?: number;
}

export interface RouteTable {
  routes: Route[];
  refusals: readonly Refusal[];
}

export function routeTable(deps: ApiDeps, options: RouteTableOptions): RouteTable {
  const { metrics } = options;
  const routes: Route[] = [
    ...vaultRoutes(deps),
    ...clusterRoutes(deps, options.clusters),
    ...backupRoutes(deps, { metrics }),
    ...restoreRoutes(deps, { metrics }),
    ...conversionRoutes(),
    ...scheduleRoutes(deps),
    ...deleteRequestRoutes(deps),
    ...notBuiltRoutes(),
  ];
  routes.push(
    ...systemRoutes(deps, {
      metrics,
      readyTimeoutMs: options.readyTimeoutMs,
      openApiDocument: () => buildOpenApiDocument(routes, { serverUrl: options.serverUrl }),
    }),
  );
  return { routes, refusals: VAULT_REFUSALS };
}

// The REST API process: express 5 with request ids and logs, metrics, bearer-token authorization,
// a JSON body parser with a limit, the route modules, and RFC 9457 problems for every error.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { authorize } from './auth.js';
import type { ApiDeps } from './deps.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { problemHandler, routeNotFound } from './problem.js';
import { notBuiltProblems, temporalErrors } from './problems-extra.js';
import { requestLog } from './request-log.js';
import { backupsRouter } from './routes/backups.js';
import { clustersRouter, type ClustersRouterOptions } from './routes/clusters.js';
import { conversionsRouter } from './routes/conversions.js';
import { deleteRequestsRouter } from './routes/delete-requests.js';
import { restoresRouter } from './routes/restores.js';
import { schedulesRouter } from './routes/schedules.js';
import { systemRouter } from './routes/system.js';
import { vaultsRouter } from './routes/vaults.js';

/** Largest JSON body accepted; specs are small, and a larger body is refused with 413. */
export const JSON_BODY_LIMIT = '1mb';

export interface AppOptions {
  metrics?: ApiMetrics;
  clusters?: ClustersRouterOptions;
  /** Base URL announced in the OpenAPI document. */
  serverUrl?: string;
  /** More routers, mounted after the API's own (before the 404 fallback). */
  routers?: Router[];
}

export function createApp(deps: ApiDeps, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const metrics = options.metrics ?? createApiMetrics();

  app.use(requestLog({ logger: deps.logger }));
  app.use(metrics.middleware);
  // Authorization before the body is read: an anonymous client cannot make the API parse anything.
  app.use(authorize(deps.config.tokens));
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  app.use(systemRouter(deps, { metrics, serverUrl: options.serverUrl }));
  app.use(vaultsRouter(deps));
  app.use(clustersRouter(deps, options.clusters));
  app.use(backupsRouter(deps, { metrics }));
  app.use(restoresRouter(deps, { metrics }));
  app.use(conversionsRouter());
  app.use(schedulesRouter(deps));
  app.use(deleteRequestsRouter(deps));
  for (const router of options.routers ?? []) app.use(router);

  app.use(routeNotFound);
  app.use(temporalErrors);
  app.use(notBuiltProblems);
  app.use(problemHandler({ logger: deps.logger }));
  return app;
}

export interface RunningApi {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  server: Server;
  app: express.Express;
  close(): Promise<void>;
}

/** Starts the API on `config.api.host:port` (port 0 picks a free one). */
export async function startApi(deps: ApiDeps, options: AppOptions = {}): Promise<RunningApi> {
  const app = createApp(deps, options);
  const server = createServer(app);
  const { host, port } = deps.config.api;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${address.port}`;
  deps.logger.info({ url }, 'REST API listening');
  return {
    url,
    server,
    app,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

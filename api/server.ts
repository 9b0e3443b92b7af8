// The REST API process: express 5 with request ids and logs, metrics, bearer-token authentication,
// the route table (roles, JSON bodies with a limit, validation, handlers), and RFC 9457 problems
// for every error.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { authenticate } from './auth.js';
import type { ApiDeps } from './deps.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { problemHandler } from './problem.js';
import { notBuiltProblems, temporalErrors } from './problems-extra.js';
import { requestLog } from './request-log.js';
import { mountRoutes, unknownRoute } from './route-table.js';
import type { ClusterRoutesOptions } from './routes/clusters.js';
import { routeTable } from './routes/index.js';

/** Largest JSON body accepted; specs are small, and a larger body is refused with 413. */
export const JSON_BODY_LIMIT = '1mb';

export interface AppOptions {
  metrics?: ApiMetrics;
  clusters?: ClusterRoutesOptions;
  /** Base URL announced in the OpenAPI document. */
  serverUrl?: string;
}

/**
 * The API: request logs and metrics, authentication of the bearer token, then the rows of the
 * route table (api/routes/index.ts), each with its role, body parser and validation, then 404,
 * then problems for every error. Nothing is served that /openapi.json does not document.
 */
export function createApp(deps: ApiDeps, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const metrics = options.metrics ?? createApiMetrics();

  app.use(requestLog({ logger: deps.logger }));
  app.use(metrics.middleware);
  app.use(authenticate(deps.config.tokens));
  const { routes, refusals } = routeTable(deps, { metrics, clusters: options.clusters, serverUrl: options.serverUrl });
  const router = express.Router();
  mountRoutes(router, routes, { jsonLimit: JSON_BODY_LIMIT, refusals });
  app.use(router);
  app.use(...unknownRoute);

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

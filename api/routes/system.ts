// The open endpoints: liveness, readiness (the Temporal frontend answers), the OpenAPI document of
// the whole API, and Prometheus metrics. No token is needed (api/auth.ts OPEN_PATHS).

import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import { buildOpenApiDocument, type OpenApiDocument } from '../openapi.js';
import { temporalUnavailable } from '../problems-extra.js';
import type { Health } from '../schemas.js';

export interface SystemRouterOptions {
  metrics: ApiMetrics;
  /** How long /readyz waits for the Temporal frontend. */
  readyTimeoutMs?: number;
  /** Base URL for the document's `servers` list. */
  serverUrl?: string;
  version?: string;
}

export function systemRouter(deps: ApiDeps, options: SystemRouterOptions): Router {
  const router = Router();
  let document: OpenApiDocument | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies Health);
  });

  router.get('/readyz', async (_req, res) => {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 2_000);
    try {
      await deps.client.withDeadline(deadline, () => deps.client.workflowService.getSystemInfo({}));
    } catch (err) {
      throw temporalUnavailable(err);
    }
    res.json({ status: 'ok', checks: { temporal: 'ok' } } satisfies Health);
  });

  router.get('/openapi.json', (_req, res) => {
    document ??= buildOpenApiDocument({ version: options.version, serverUrl: options.serverUrl });
    res.json(document);
  });

  router.get('/metrics', async (_req, res) => {
    const { registry } = options.metrics;
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}

// The route table built from inert deps, for tests that read the rows or their OpenAPI document
// without serving them (building the rows touches no client, vault or logger); and routers of
// ad-hoc rows, for tests of validation and problems.

import type { Client } from '@temporalio/client';
import express, { type Response, type Router } from 'express';
import { pino } from 'pino';
import type { z } from 'zod';
import { configFromObject } from '../../config/load.js';
import type { ApiDeps } from '../deps.js';
import { createApiMetrics } from '../metrics.js';
import { mountRoutes, route } from '../route-table.js';
import { routeTable, type RouteTable } from '../routes/index.js';

export function inertDeps(): ApiDeps {
  return {
    client: { options: { namespace: 'default' } } as unknown as Client,
    config: configFromObject({}),
    logger: pino({ level: 'silent' }),
    vaults: { get: async () => undefined, list: async () => [] },
    temporalUiUrl: '',
  };
}

export function inertRouteTable(options: { serverUrl?: string } = {}): RouteTable {
  return routeTable(inertDeps(), { metrics: createApiMetrics({ defaultMetrics: false }), ...options });
}

/** An open `POST path` row whose body is `schema`, answered by `answer`, mounted on its own router. */
export function bodyRouter(
  rows: ReadonlyArray<{ path: string; schema: z.ZodType; answer: (body: unknown, res: Response) => void }>,
): Router {
  const router = express.Router();
  mountRoutes(
    router,
    rows.map(({ path, schema, answer }, i) =>
      route({
        method: 'post',
        path,
        operationId: `op${i}`,
        summary: '',
        tag: 'test',
        role: 'open',
        request: { body: schema },
        responses: { 200: { description: '' } },
        handler: ({ body, res }) => answer(body, res),
      }),
    ),
    { jsonLimit: '1mb' },
  );
  return router;
}

// The open endpoints: liveness, readiness (the Temporal frontend answers), the OpenAPI document of
// the whole route table, and Prometheus metrics. No token is needed (role `open`).

import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import type { OpenApiDocument } from '../openapi.js';
import { temporalUnavailable } from '../problems-extra.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { HealthSchema, type Health } from '../schemas.js';

export interface SystemRoutesOptions {
  metrics: ApiMetrics;
  /** How long /readyz waits for the Temporal frontend. */
  readyTimeoutMs?: number;
  /** The document /openapi.json serves: that of the whole table, these rows included. */
  openApiDocument: () => OpenApiDocument;
}

const TEXT_TYPE = 'text/plain';

export function systemRoutes(deps: ApiDeps, options: SystemRoutesOptions): Route[] {
  let document: OpenApiDocument | undefined;
  const tag = 'operations';
  return [
    route({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      summary: 'Liveness',
      tag,
      role: 'open',
      responses: { 200: { description: 'The process is alive.', schema: HealthSchema } },
      handler: ({ res }) => {
        res.json({ status: 'ok' } satisfies Health);
      },
    }),
    route({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      summary: 'Readiness: the Temporal server answers',
      tag,
      role: 'open',
      responses: { 200: { description: 'Ready.', schema: HealthSchema }, 503: PROBLEM },
      handler: async ({ res }) => {
        const deadline = Date.now() + (options.readyTimeoutMs ?? 2_000);
        try {
          await deps.client.withDeadline(deadline, () => deps.client.workflowService.getSystemInfo({}));
        } catch (err) {
          throw temporalUnavailable(err);
        }
        res.json({ status: 'ok', checks: { temporal: 'ok' } } satisfies Health);
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This OpenAPI 3.1 document',
      tag,
      role: 'open',
      responses: { 200: { description: 'The document.', schema: z.record(z.string(), z.unknown()) } },
      handler: ({ res }) => {
        document ??= options.openApiDocument();
        res.json(document);
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      tag,
      role: 'open',
      responses: {
        200: { description: 'Metrics in the Prometheus text format.', schema: z.string(), contentType: TEXT_TYPE },
      },
      handler: async ({ res }) => {
        const { registry } = options.metrics;
        res.type(registry.contentType).send(await registry.metrics());
      },
    }),
  ];
}

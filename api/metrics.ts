// Prometheus metrics of the API process (prom-client): requests by route pattern and status, their
// duration, tasks started, and the default process metrics. One registry per app, so tests that
// build several apps do not collide on metric names.

import type { Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  /** Counts one started task of `type` (Backup, Restore, …). */
  taskStarted(type: string): void;
  /** Express middleware that observes every request when it finishes. */
  middleware: RequestHandler;
}

/** Route label for unmatched requests, so scanners cannot blow up the label cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route pattern a request matched (`/v1/backups/:name`), never the raw path: raw paths carry
 * names and would make one time series per backup. A handler may set `res.locals.metricsRoute`.
 */
export function routeLabel(req: Request, res: Response): string {
  const override: unknown = res.locals.metricsRoute;
  if (typeof override === 'string') return override;
  const route: unknown = (req as { route?: { path?: unknown } }).route?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  return UNMATCHED_ROUTE;
}

export function createApiMetrics(options: { prefix?: string; defaultMetrics?: boolean } = {}): ApiMetrics {
  const prefix = options.prefix ?? 'backup_center_api_';
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    help: 'Time to answer an HTTP request, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const tasks = new Counter({
    name: `${prefix}tasks_started_total`,
    help: 'Tasks (workflows) started through the API, by type.',
    labelNames: ['type'] as const,
    registers: [registry],
  });

  const middleware: RequestHandler = (req, res, next) => {
    const stop = duration.startTimer();
    let observed = false;
    const observe = () => {
      if (observed) return;
      observed = true;
      const labels = { method: req.method, route: routeLabel(req, res), status: String(res.statusCode) };
      requests.inc(labels);
      stop(labels);
    };
    res.on('finish', observe);
    res.on('close', observe);
    next();
  };

  return { registry, middleware, taskStarted: (type) => tasks.inc({ type }) };
}

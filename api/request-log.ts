// Request ids and one structured log line per request. A client's `x-request-id` is kept when it
// looks like an id (so a gateway's id follows the request through), else a fresh UUID is made; it
// is echoed in the response and bound to the request's logger, which handlers reach through
// `requestLogger(res)`.

import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from '../lib/logger.js';
import { principalOf } from './auth.js';

export const REQUEST_ID_HEADER = 'x-request-id';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The client's request id when it is a sane token, else a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && REQUEST_ID.test(value) ? value : randomUUID();
}

/** The request's id, set by {@link requestLog}. */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/** The request's logger (bound to its id), or `fallback` outside {@link requestLog}. */
export function requestLogger(res: Response, fallback: Logger): Logger {
  const log: unknown = res.locals.log;
  return typeof log === 'object' && log !== null ? (log as Logger) : fallback;
}

/**
 * Log level of a finished request: server errors are errors; a feature not built yet (501) is a
 * warning; everything else, client errors included, is the normal course of things.
 */
export function levelForStatus(status: number): 'error' | 'warn' | 'info' {
  if (status === 501) return 'warn';
  if (status >= 500) return 'error';
  return 'info';
}

export interface RequestLogOptions {
  logger: Logger;
  /** Paths logged at debug level only (probes and scrapes would drown everything else). */
  quietPaths?: readonly string[];
}

/**
 * Assigns the request id, echoes it as `x-request-id`, and logs the request once it is answered
 * (or once the client went away): method, path, status, duration, principal.
 */
export function requestLog(options: RequestLogOptions): RequestHandler {
  const quiet = new Set(options.quietPaths ?? ['/healthz', '/readyz', '/metrics']);
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    const log = options.logger.child({ reqId: requestId });
    res.locals.requestId = requestId;
    res.locals.log = log;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = {
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        principal: principalOf(res)?.name,
        aborted: !res.writableFinished || undefined,
      };
      if (quiet.has(req.path) && res.statusCode < 500) log.debug(entry, 'request');
      else log[levelForStatus(res.statusCode)](entry, 'request');
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

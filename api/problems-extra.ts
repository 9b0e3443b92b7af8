// Problems the route modules answer besides those of api/problem.ts: a feature that is not built
// yet (501, so it is listed as not built rather than half-working), and Temporal not answering
// (503, instead of an opaque 500).

import { isGrpcServiceError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import { ControlWorkerUnavailableError } from '../clients/vault-registry.js';
import { HttpProblem, sendProblem } from './problem.js';

export const NOT_BUILT = 'NotBuilt';
export const TEMPORAL_UNAVAILABLE = 'TemporalUnavailable';

/** 501 Not Implemented with code `NotBuilt`. */
export class NotBuiltProblem extends HttpProblem {
  constructor(detail: string) {
    super({ status: 501, code: NOT_BUILT, detail });
  }

  override get title(): string {
    return 'Not Implemented';
  }
}

export function notBuilt(detail: string): NotBuiltProblem {
  return new NotBuiltProblem(detail);
}

/** 503: the Temporal server does not answer. */
export function temporalUnavailable(cause?: unknown): HttpProblem {
  return new HttpProblem({
    status: 503,
    code: TEMPORAL_UNAVAILABLE,
    detail: 'The Temporal server does not answer; try again later',
    cause,
  });
}

const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;

/** Whether `err` (or its cause chain) is a gRPC UNAVAILABLE or DEADLINE_EXCEEDED from the Temporal frontend. */
export function isTemporalUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (isGrpcServiceError(e) && (e.code === UNAVAILABLE || e.code === DEADLINE_EXCEEDED)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** 503: Temporal answers, but the control worker that must take the change does not. */
export function controlWorkerUnavailable(err: ControlWorkerUnavailableError): HttpProblem {
  return new HttpProblem({ status: 503, code: 'ControlWorkerUnavailable', detail: err.message, cause: err });
}

/** Error middleware: the component that does not answer → 503 problem naming it; everything else passes on. */
export const temporalErrors: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  if (err instanceof ControlWorkerUnavailableError) next(controlWorkerUnavailable(err));
  else next(isTemporalUnavailable(err) ? temporalUnavailable(err) : err);
};

/** Error middleware: a NotBuilt problem is answered here, so the 5xx handler does not log it as a server fault. */
export const notBuiltProblems: ErrorRequestHandler = (err: unknown, req, res, next) => {
  if (err instanceof NotBuiltProblem && !res.headersSent) {
    sendProblem(res, err, req.originalUrl.split('?')[0]);
    return;
  }
  next(err);
};

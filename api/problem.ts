// RFC 9457 problem details (`application/problem+json`) for every error the API answers, with
// the backup center's stable `code` and, for bad input, `errors: [{path, message}]` naming
// every invalid field. Anything that is not an HttpProblem becomes a 500 `internal error`
// whose details go to the log, never to the client.

import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { fieldErrors, type FieldError } from '../domain/validation.js';
import { ErrorCode, messages } from '../domain/errors.js';
import type { Problem } from './schemas.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Codes of problems that are about the request rather than a task. */
export const ProblemCode = {
  InvalidSpec: ErrorCode.InvalidSpec,
  MalformedBody: 'MalformedBody',
  PayloadTooLarge: 'PayloadTooLarge',
  UnsupportedMediaType: 'UnsupportedMediaType',
  NameAlreadyUsed: 'NameAlreadyUsed',
  NotFound: 'NotFound',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  Internal: ErrorCode.Internal,
} as const;
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

/** The FAQ's wording for a used name. */
export const NAME_ALREADY_USED = 'The name is already used. Change the name and try again';

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface HttpProblemInit {
  status: number;
  code: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra response headers, e.g. `WWW-Authenticate` on a 401. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error that is answered as a problem document. `type` is `about:blank`, so `title` is the
 * status phrase; `code` is the stable machine-readable discriminator.
 */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(init: HttpProblemInit) {
    super(init.detail ?? init.code, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers ?? {};
  }

  get title(): string {
    return STATUS_TITLES[this.status] ?? 'Error';
  }

  /** The problem document; `instance` is the request path when given. */
  toProblem(instance?: string): Problem {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
      ...(instance === undefined ? {} : { instance }),
      code: this.code,
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function isHttpProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem;
}

// ---------------------------------------------------------------------------------------------
// Constructors

/** 400 listing every invalid field. */
export function badRequest(error: z.ZodError | readonly FieldError[], detail?: string): HttpProblem {
  const errors = Array.isArray(error) ? [...(error as readonly FieldError[])] : fieldErrors(error as z.ZodError);
  const n = errors.length;
  return new HttpProblem({
    status: 400,
    code: ProblemCode.InvalidSpec,
    detail:
      detail ?? `The request has ${n} invalid field${n === 1 ? '' : 's'}: ${errors.map((e) => e.path).join(', ')}`,
    errors,
  });
}

/** 400 for a body that is not JSON at all. */
export function malformedBody(reason: string): HttpProblem {
  return new HttpProblem({
    status: 400,
    code: ProblemCode.MalformedBody,
    detail: `The request body is not valid JSON: ${reason}`,
    errors: [{ path: '(root)', message: `not valid JSON: ${reason}` }],
  });
}

/** 404: `notFound('backup', 'nginx-1')` → `backup "nginx-1" not found`. */
export function notFound(kind: string, name?: string, code: string = ProblemCode.NotFound): HttpProblem {
  return new HttpProblem({
    status: 404,
    code,
    detail: name === undefined ? `${kind} not found` : `${kind} ${JSON.stringify(name)} not found`,
  });
}

/** 409 with the FAQ's wording; `what` (e.g. `backup "nginx-1" exists`) is appended. */
export function conflict(what?: string): HttpProblem {
  return new HttpProblem({
    status: 409,
    code: ProblemCode.NameAlreadyUsed,
    detail: what === undefined ? NAME_ALREADY_USED : `${NAME_ALREADY_USED}: ${what}`,
  });
}

/** 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750). */
export function unauthorized(detail = 'A bearer token is required', invalidToken = false): HttpProblem {
  const challenge = invalidToken
    ? `Bearer realm="backup-center", error="invalid_token"`
    : 'Bearer realm="backup-center"';
  return new HttpProblem({
    status: 401,
    code: ProblemCode.Unauthorized,
    detail,
    headers: { 'WWW-Authenticate': challenge },
  });
}

/** 403: authenticated, but the role does not allow the operation. */
export function forbidden(detail = 'Your role does not allow this operation'): HttpProblem {
  return new HttpProblem({ status: 403, code: ProblemCode.Forbidden, detail });
}

/** 500 `internal error`; the cause is kept for the log only. */
export function internalError(cause?: unknown): HttpProblem {
  return new HttpProblem({ status: 500, code: ProblemCode.Internal, detail: messages.internal(), cause });
}

// ---------------------------------------------------------------------------------------------
// Express

/** Writes `problem` as the response. */
export function sendProblem(res: Response, problem: HttpProblem, instance?: string): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).json(problem.toProblem(instance));
}

/** Errors raised by express.json() (body-parser / http-errors) carry these. */
interface BodyParserError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  message?: unknown;
}

/** Turns a thrown value into the problem to answer, or undefined for an unexpected error. */
export function toHttpProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as BodyParserError;
  const message = typeof e.message === 'string' ? e.message : 'invalid body';
  switch (e.type) {
    case 'entity.parse.failed':
      return malformedBody(message);
    case 'entity.too.large':
      return new HttpProblem({
        status: 413,
        code: ProblemCode.PayloadTooLarge,
        detail: 'The request body is too large',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem({ status: 415, code: ProblemCode.UnsupportedMediaType, detail: message });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HttpProblem({ status: 400, code: ProblemCode.MalformedBody, detail: message });
  }
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  // The router could not percent-decode a path parameter (`/v1/backups/%zz`): bad input, not a fault.
  if (err instanceof URIError && status === 400) {
    return badRequest([{ path: '(path)', message: `not valid percent-encoding: ${message}` }]);
  }
  if (status !== undefined && status >= 400 && status < 500 && e.expose === true) {
    return new HttpProblem({
      status,
      code: status === 404 ? ProblemCode.NotFound : ProblemCode.InvalidSpec,
      detail: message,
    });
  }
  return undefined;
}

/** What the error handler needs from a logger; a pino Logger fits. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/**
 * Express 5 error-handling middleware: HttpProblem (and body-parser errors such as malformed
 * JSON) → its problem document; anything else → 500 `internal error`, logged with its stack,
 * which the client never sees.
 */
export function problemHandler(options: { logger: ErrorLogger }): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let problem = toHttpProblem(err);
    if (problem === undefined) {
      options.logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
      problem = internalError(err);
    } else if (problem.status >= 500) {
      options.logger.error(
        { err: problem.cause ?? problem, method: req.method, url: req.originalUrl },
        problem.message,
      );
    }
    sendProblem(res, problem, req.originalUrl.split('?')[0]);
  };
}

/** Final middleware: no route matched → 404 problem. */
export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(notFound('route', `${req.method} ${req.path}`));
};

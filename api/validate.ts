// Request validation with the domain's schemas (domain/validation.ts): a 400 problem that lists every invalid
// field, or the parsed value (defaults filled) for the handler.

import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { validate } from '../domain/validation.js';
import { badRequest, type HttpProblem } from './problem.js';

/** The 400 for a request without a JSON body (express.json leaves `req.body` undefined then). */
export function missingBody(): HttpProblem {
  return badRequest([{ path: '(root)', message: 'a JSON body is required (Content-Type: application/json)' }]);
}

/** Replaces `req.body` with the parsed body, or answers 400 naming every invalid field. */
export function validateBody<S extends z.ZodType>(schema: S): RequestHandler {
  return (req, _res, next) => {
    if (req.body === undefined) {
      next(missingBody());
      return;
    }
    const result = validate(schema, req.body);
    if (!result.success) {
      next(badRequest(result.errors));
      return;
    }
    req.body = result.data;
    next();
  };
}

/** Validates `req.query`; the parsed value goes to `res.locals.query` (express 5's `req.query` is read-only). */
export function validateQuery<S extends z.ZodType>(schema: S): RequestHandler {
  return (req, res, next) => {
    const result = validate(schema, { ...req.query });
    if (!result.success) {
      next(badRequest(result.errors.map((e) => ({ ...e, path: e.path === '(root)' ? '(query)' : e.path }))));
      return;
    }
    res.locals.query = result.data;
    next();
  };
}

/** Validates `req.params`; the parsed value goes to `res.locals.params`. */
export function validateParams<S extends z.ZodType>(schema: S): RequestHandler {
  return (req, res, next) => {
    const result = validate(schema, { ...req.params });
    if (!result.success) {
      next(badRequest(result.errors));
      return;
    }
    res.locals.params = result.data;
    next();
  };
}

// Request validation with the schemas of api/schemas.ts: a 400 problem that lists every invalid
// field, or the parsed value (defaults filled) for the handler.

import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { badRequest, fieldErrors, type HttpProblem } from './problem.js';
import type { FieldError } from './schemas.js';

export type ValidationResult<T> = { success: true; data: T } | { success: false; errors: FieldError[] };

/** Friendlier wording than zod's defaults, for this API's clients. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.input === undefined)
    return 'is required';
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    const input = issue.input;
    const got = input === null ? 'null' : Array.isArray(input) ? 'array' : typeof input;
    return `expected ${issue.expected}, got ${got}`;
  }
  return undefined;
};

/** The 400 for a request without a JSON body (express.json leaves `req.body` undefined then). */
export function missingBody(): HttpProblem {
  return badRequest([{ path: '(root)', message: 'a JSON body is required (Content-Type: application/json)' }]);
}

/** Validates `input` against `schema`; never throws for bad input. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.output<S>> {
  const result = schema.safeParse(input, { error: errorMap });
  if (result.success) return { success: true, data: result.data };
  return { success: false, errors: fieldErrors(result.error) };
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

import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  HttpProblem,
  NAME_ALREADY_USED,
  PROBLEM_CONTENT_TYPE,
  badRequest,
  conflict,
  forbidden,
  notFound,
  problemHandler,
  routeNotFound,
  toHttpProblem,
  unauthorized,
} from './problem.js';
import { fieldErrors, formatPath } from '../domain/validation.js';
import { ProblemSchema } from './schemas.js';
import { BackupCreateSchema } from '../domain/backup.js';
import { inject } from './testing/inject.js';
import { bodyRouter } from './testing/table.js';

function app(logger = { error: vi.fn() }) {
  const a = express();
  a.use(
    bodyRouter([
      { path: '/v1/backups', schema: BackupCreateSchema, answer: (body, res) => res.status(202).json(body) },
    ]),
  );
  a.get('/conflict', () => {
    throw conflict('backup "b1" exists');
  });
  a.get('/boom', () => {
    throw new Error('secret detail at /home/user/.kube/config');
  });
  a.get('/boom-async', async () => {
    await Promise.resolve();
    throw new TypeError('undefined is not a function');
  });
  a.get('/not-an-error', () => {
    throw 'a string';
  });
  a.use(routeNotFound);
  a.use(problemHandler({ logger }));
  return { app: a, logger };
}

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['name'], 'name'],
    [['template', 'includedNamespaces', 2], 'template.includedNamespaces.2'],
    [['labelSelector', 'matchLabels', 'app.kubernetes.io/name'], 'labelSelector.matchLabels["app.kubernetes.io/name"]'],
    [[0, 'x'], '0.x'],
  ] as Array<[PropertyKey[], string]>)('%j -> %s', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe('constructors', () => {
  it('badRequest lists every field of a ZodError', () => {
    const schema = z.strictObject({ a: z.string(), b: z.object({ c: z.number() }) });
    const result = schema.safeParse({ a: 1, b: { c: 'x' }, d: true });
    expect(result.success).toBe(false);
    if (result.success) return;
    const p = badRequest(result.error);
    expect(p.status).toBe(400);
    expect(p.code).toBe('InvalidSpec');
    expect(p.errors?.map((e) => e.path)).toEqual(['a', 'b.c', 'd']);
    expect(p.detail).toBe('The request has 3 invalid fields: a, b.c, d');
    expect(ProblemSchema.safeParse(p.toProblem('/x')).success).toBe(true);
  });

  it('conflict uses the FAQ wording', () => {
    expect(NAME_ALREADY_USED).toBe('The name is already used. Change the name and try again');
    const p = conflict();
    expect(p).toMatchObject({ status: 409, code: 'NameAlreadyUsed', detail: NAME_ALREADY_USED });
    expect(conflict('backup "b" exists').detail).toBe(`${NAME_ALREADY_USED}: backup "b" exists`);
  });

  it('notFound, unauthorized, forbidden', () => {
    expect(notFound('backup', 'b1').toProblem()).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'backup "b1" not found',
      code: 'NotFound',
    });
    expect(notFound('backup', 'b1', 'BackupNotFound').code).toBe('BackupNotFound');
    expect(unauthorized().headers['WWW-Authenticate']).toBe('Bearer realm="backup-center"');
    expect(unauthorized('x', true).headers['WWW-Authenticate']).toContain('error="invalid_token"');
    expect(forbidden().status).toBe(403);
  });

  it('fieldErrors deduplicates', () => {
    const issues = [
      { code: 'custom' as const, path: ['a'], message: 'm', input: undefined },
      { code: 'custom' as const, path: ['a'], message: 'm', input: undefined },
    ];
    expect(fieldErrors(issues)).toEqual([{ path: 'a', message: 'm' }]);
  });

  it('toHttpProblem maps body-parser errors and ignores the rest', () => {
    expect(toHttpProblem({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' })?.status).toBe(400);
    expect(toHttpProblem({ type: 'entity.too.large', status: 413 })?.status).toBe(413);
    expect(toHttpProblem({ status: 418, expose: true, message: 'teapot' })?.status).toBe(418);
    expect(toHttpProblem(new Error('x'))).toBeUndefined();
    expect(toHttpProblem({ status: 500, expose: false })).toBeUndefined();
    expect(toHttpProblem(null)).toBeUndefined();
  });
});

describe('problemHandler', () => {
  it('answers 400 with every invalid field as application/problem+json', async () => {
    const { app: a } = app();
    const res = await inject(a, { method: 'POST', url: '/v1/backups', body: { name: 'B', vault: 3, extra: 1 } });
    expect(res.status).toBe(400);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const body = res.json() as { errors: Array<{ path: string }> };
    expect(ProblemSchema.safeParse(body).success).toBe(true);
    expect(body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'InvalidSpec',
      instance: '/v1/backups',
    });
    expect(body.errors.map((e) => e.path).sort()).toEqual(['cluster', 'extra', 'name', 'vault']);
  });

  it('passes valid bodies through with defaults', async () => {
    const { app: a } = app();
    const res = await inject(a, { method: 'POST', url: '/v1/backups', body: { name: 'b', cluster: 'c', vault: 'v' } });
    expect(res.status).toBe(202);
    expect(res.json()).toMatchObject({ backupType: 'AppBackup', ttl: '720h0m0s' });
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const { app: a, logger } = app();
    const res = await inject(a, {
      method: 'POST',
      url: '/v1/backups',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "b",',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'MalformedBody', errors: [{ path: '(root)' }] });
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('answers a JSON scalar body with 400', async () => {
    const { app: a } = app();
    const res = await inject(a, {
      method: 'POST',
      url: '/v1/backups',
      headers: { 'content-type': 'application/json' },
      body: '"x"',
    });
    expect(res.status).toBe(400);
  });

  it('answers a missing body with 400', async () => {
    const { app: a } = app();
    const res = await inject(a, {
      method: 'POST',
      url: '/v1/backups',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      errors: [{ path: '(root)', message: expect.stringContaining('JSON body is required') }],
    });
  });

  it('answers 409 and 404', async () => {
    const { app: a } = app();
    const c = await inject(a, { url: '/conflict' });
    expect(c.status).toBe(409);
    expect(c.json()).toMatchObject({ code: 'NameAlreadyUsed', detail: `${NAME_ALREADY_USED}: backup "b1" exists` });
    const n = await inject(a, { url: '/nowhere' });
    expect(n.status).toBe(404);
    expect(n.json()).toMatchObject({ code: 'NotFound', detail: 'route "GET /nowhere" not found' });
  });

  it.each(['/boom', '/boom-async', '/not-an-error'])(
    'turns %s into 500 internal error without leaking, and logs it',
    async (url) => {
      const { app: a, logger } = app();
      const res = await inject(a, { url });
      expect(res.status).toBe(500);
      expect(res.json()).toEqual({
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'internal error',
        instance: url,
        code: 'Internal',
      });
      expect(res.text).not.toMatch(/secret|stack|at .*\.ts|TypeError/);
      expect(logger.error).toHaveBeenCalledTimes(1);
    },
  );

  it('sets the 401 challenge header', async () => {
    const a = express();
    a.get('/x', () => {
      throw unauthorized();
    });
    a.use(problemHandler({ logger: { error: vi.fn() } }));
    const res = await inject(a, { url: '/x?y=1' });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="backup-center"');
    expect(res.json()).toMatchObject({ instance: '/x' });
  });

  it('keeps a deliberate 5xx problem', async () => {
    const a = express();
    const logger = { error: vi.fn() };
    a.get('/x', () => {
      throw new HttpProblem({ status: 503, code: 'TemporalUnavailable', detail: 'Temporal does not answer' });
    });
    a.use(problemHandler({ logger }));
    const res = await inject(a, { url: '/x' });
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({ title: 'Service Unavailable', code: 'TemporalUnavailable' });
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
  });
});

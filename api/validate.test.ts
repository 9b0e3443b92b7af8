import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { problemHandler } from './problem.js';
import { BackupListQuerySchema, NameParamsSchema } from './schemas.js';
import { VaultCreateSchema } from '../domain/vault.js';
import { mountRoutes, route } from './route-table.js';
import { inject } from './testing/inject.js';
import { validate } from '../domain/validation.js';

describe('validate', () => {
  it('returns parsed data or every error, with friendly wording', () => {
    expect(validate(z.object({ a: z.string().default('x') }), {})).toEqual({ success: true, data: { a: 'x' } });
    expect(validate(VaultCreateSchema, { backend: 'tape' })).toEqual({
      success: false,
      errors: [
        { path: 'name', message: 'is required' },
        { path: 'backend', message: 'must be one of "filesystem", "oss", "s3"' },
      ],
    });
    expect(validate(VaultCreateSchema, null)).toEqual({
      success: false,
      errors: [{ path: '(root)', message: 'expected object, got null' }],
    });
    expect(validate(VaultCreateSchema, [])).toEqual({
      success: false,
      errors: [{ path: '(root)', message: 'expected object, got array' }],
    });
  });
});

describe('validation of a route table row', () => {
  const a = express();
  const router = express.Router();
  const common = { summary: '', tag: 't', role: 'open' as const };
  mountRoutes(
    router,
    [
      route({
        ...common,
        method: 'post',
        path: '/v1/vaults',
        operationId: 'a',
        request: {
          body: VaultCreateSchema,
          bodyChecks: (raw, schemaErrors) =>
            (raw as { name?: unknown }).name === 'taken' && !schemaErrors.some((e) => e.path === 'name')
              ? [{ path: 'name', message: 'is taken' }]
              : [],
        },
        responses: { 201: { description: 'x' } },
        handler: ({ body, res }) => {
          res.status(201).json(body);
        },
      }),
      route({
        ...common,
        method: 'get',
        path: '/v1/backups',
        operationId: 'b',
        request: { query: BackupListQuerySchema },
        responses: { 200: { description: 'x' } },
        handler: ({ query, res }) => {
          res.json(query);
        },
      }),
      route({
        ...common,
        method: 'get',
        path: '/v1/vaults/{name}',
        operationId: 'c',
        request: { params: NameParamsSchema },
        responses: { 200: { description: 'x' } },
        handler: ({ params, res }) => {
          res.json(params);
        },
      }),
    ],
    { jsonLimit: '1kb' },
  );
  a.use(router);
  a.use(problemHandler({ logger: { error: vi.fn() } }));

  it('hands the parsed body to the handler', async () => {
    const res = await inject(a, {
      method: 'POST',
      url: '/v1/vaults',
      body: { name: 'v', backend: 'filesystem', path: 'v' },
    });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ name: 'v', backend: 'filesystem', path: 'v' });
  });

  it('answers 400 with every invalid field of the body', async () => {
    const res = await inject(a, { method: 'POST', url: '/v1/vaults', body: { name: 'V', backend: 'oss' } });
    expect(res.status).toBe(400);
    expect((res.json() as { errors: unknown[] }).errors).toHaveLength(3);
  });

  it('checks query filters and refuses unknown ones', async () => {
    expect((await inject(a, { url: '/v1/backups?vault=v1&phase=Completed' })).json()).toEqual({
      vault: 'v1',
      phase: 'Completed',
    });
    const bad = await inject(a, { url: '/v1/backups?phase=Done&colour=red&vault=A' });
    expect(bad.status).toBe(400);
    expect((bad.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort()).toEqual([
      'colour',
      'phase',
      'vault',
    ]);
    expect((await inject(a, { url: '/v1/backups?vault=a&vault=b' })).status).toBe(400);
  });

  it('checks names in the path', async () => {
    expect((await inject(a, { url: '/v1/vaults/ok-1' })).json()).toEqual({ name: 'ok-1' });
    const bad = await inject(a, { url: '/v1/vaults/Not_OK' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ path: 'name' }] });
  });

  it('lists the body checks with the schema errors, and asks for a missing body', async () => {
    const res = await inject(a, { method: 'POST', url: '/v1/vaults', body: { name: 'taken', backend: 'tape' } });
    expect(res.status).toBe(400);
    expect((res.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toEqual(['backend', 'name']);
    const missing = await inject(a, { method: 'POST', url: '/v1/vaults' });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ errors: [{ path: '(root)' }] });
    const tooLarge = await inject(a, { method: 'POST', url: '/v1/vaults', body: { name: 'x'.repeat(2_000) } });
    expect(tooLarge.status).toBe(413);
  });
});

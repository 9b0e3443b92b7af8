import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { problemHandler } from './problem.js';
import { BackupListQuerySchema, NameParamsSchema } from './schemas.js';
import { VaultCreateSchema } from '../domain/vault.js';
import { inject } from './testing/inject.js';
import { validateBody, validateParams, validateQuery } from './validate.js';
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

describe('middleware', () => {
  const a = express();
  a.use(express.json());
  a.post('/v1/vaults', validateBody(VaultCreateSchema), (req, res) => {
    res.status(201).json(req.body);
  });
  a.get('/v1/backups', validateQuery(BackupListQuerySchema), (_req, res) => {
    res.json(res.locals.query);
  });
  a.get('/v1/vaults/:name', validateParams(NameParamsSchema), (_req, res) => {
    res.json(res.locals.params);
  });
  a.use(problemHandler({ logger: { error: vi.fn() } }));

  it('validateBody replaces the body with the parsed value', async () => {
    const res = await inject(a, {
      method: 'POST',
      url: '/v1/vaults',
      body: { name: 'v', backend: 'filesystem', path: 'v' },
    });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ name: 'v', backend: 'filesystem', path: 'v' });
  });

  it('validateBody answers 400 with every field', async () => {
    const res = await inject(a, { method: 'POST', url: '/v1/vaults', body: { name: 'V', backend: 'oss' } });
    expect(res.status).toBe(400);
    expect((res.json() as { errors: unknown[] }).errors).toHaveLength(3);
  });

  it('validateQuery checks filters and refuses unknown ones', async () => {
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

  it('validateParams checks names', async () => {
    expect((await inject(a, { url: '/v1/vaults/ok-1' })).json()).toEqual({ name: 'ok-1' });
    const bad = await inject(a, { url: '/v1/vaults/Not_OK' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ path: 'name' }] });
  });
});

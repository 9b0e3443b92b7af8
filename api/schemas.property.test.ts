// Property-based tests driven from the request schemas themselves: for every field the schema
// declares, bodies with that field of the wrong type, missing, or beside unknown fields always
// fail validation with `errors` naming the field's path, and never throw; random JSON never
// produces a 500 through the express middleware.

import express from 'express';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { problemHandler } from './problem.js';
import { formatPath, validate } from '../domain/validation.js';
import { BackupCreateSchema } from '../domain/backup.js';
import { ConversionCreateSchema } from '../domain/conversion.js';
import { DeleteRequestCreateSchema } from '../domain/delete-request.js';
import { RestoreCreateSchema } from '../domain/restore.js';
import { ScheduleCreateSchema } from '../domain/backup-plan.js';
import { VaultCreateSchema } from '../domain/vault.js';
import { inject } from './testing/inject.js';
import { bodyRouter } from './testing/table.js';

type Json = unknown;

interface Field {
  path: string[];
  kind: string;
  required: boolean;
  options: readonly unknown[];
}

interface ZodInternals {
  _zod: {
    def: {
      type: string;
      innerType?: z.ZodType;
      shape?: Record<string, z.ZodType>;
      entries?: Record<string, unknown>;
      values?: unknown[];
    };
  };
}

function defOf(schema: z.ZodType): ZodInternals['_zod']['def'] {
  return (schema as unknown as ZodInternals)._zod.def;
}

/** Walks an object schema's shape (into nested objects) and lists every field with its kind. */
function fieldsOf(schema: z.ZodType, prefix: string[] = []): Field[] {
  const shape = defOf(schema).shape ?? {};
  const out: Field[] = [];
  for (const [key, fieldSchema] of Object.entries(shape)) {
    let s = fieldSchema;
    let required = true;
    for (;;) {
      const def = defOf(s);
      if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) {
        required = false;
        s = def.innerType;
      } else break;
    }
    const def = defOf(s);
    const options =
      def.type === 'enum' ? Object.values(def.entries ?? {}) : def.type === 'literal' ? (def.values ?? []) : [];
    out.push({ path: [...prefix, key], kind: def.type, required, options });
    if (def.type === 'object') out.push(...fieldsOf(s, [...prefix, key]));
  }
  return out;
}

const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));
const notString = fc.oneof(
  scalar,
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

/** Values that the field's kind can never accept. */
function wrongValue(field: Field): fc.Arbitrary<Json> {
  switch (field.kind) {
    case 'string':
      return notString;
    case 'boolean':
      return fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 }));
    case 'array':
      return fc.oneof(scalar, fc.string(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    case 'record':
    case 'object':
      return fc.oneof(scalar, fc.string(), fc.array(fc.string(), { maxLength: 2 }));
    case 'enum':
    case 'literal':
      return fc.oneof(
        scalar,
        fc.string().filter((s) => !field.options.includes(s)),
      );
    case 'number':
      return fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
    case 'union': // string | object label selectors
      return fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
    default:
      throw new Error(`no wrong value for kind ${field.kind} at ${field.path.join('.')}`);
  }
}

function setPath(
  body: Record<string, Json>,
  path: readonly string[],
  value: Json | typeof REMOVE,
): Record<string, Json> {
  const copy: Record<string, Json> = structuredClone(body);
  let node: Record<string, Json> = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, Json>;
  }
  const last = path[path.length - 1] ?? '';
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}
const REMOVE = Symbol('remove');

const CASES: Array<{ name: string; schema: z.ZodType; valid: Record<string, Json> }> = [
  {
    name: 'VaultCreate',
    schema: VaultCreateSchema,
    valid: { name: 'v1', backend: 'filesystem', path: '/data/vaults/v1' },
  },
  { name: 'BackupCreate', schema: BackupCreateSchema, valid: { name: 'b1', cluster: 'c1', vault: 'v1' } },
  { name: 'RestoreCreate', schema: RestoreCreateSchema, valid: { name: 'r1', backupName: 'b1', cluster: 'c2' } },
  {
    name: 'ConversionCreate',
    schema: ConversionCreateSchema,
    valid: { backupName: 'b1', cluster: 'c1', storageClassMapping: { a: 'b' } },
  },
  {
    name: 'ScheduleCreate',
    schema: ScheduleCreateSchema,
    valid: { name: 'nightly', schedule: '1 4 * * *', template: { cluster: 'c1', vault: 'v1' } },
  },
  {
    name: 'DeleteRequestCreate',
    schema: DeleteRequestCreateSchema,
    valid: { deleteObjectName: 'b1', deleteObjectType: 'Backup' },
  },
];

/** Every error is well-formed and one names `path` (or a field inside it). */
function expectFailureNaming(schema: z.ZodType, body: Json, path: readonly string[]): void {
  const result = validate(schema, body);
  expect(result.success).toBe(false);
  if (result.success) return;
  expect(result.errors.length).toBeGreaterThan(0);
  for (const e of result.errors) {
    expect(typeof e.path).toBe('string');
    expect(e.path.length).toBeGreaterThan(0);
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
  const want = formatPath(path);
  const named = result.errors.some(
    (e) => e.path === want || e.path.startsWith(`${want}.`) || e.path.startsWith(`${want}[`),
  );
  expect(named, `${want} not in ${JSON.stringify(result.errors)}`).toBe(true);
}

describe.each(CASES)('$name, driven from its schema', ({ schema, valid }) => {
  const fields = fieldsOf(schema);

  it('the valid base body passes', () => {
    expect(validate(schema, valid).success).toBe(true);
  });

  it('knows every field', () => {
    expect(fields.length).toBeGreaterThan(0);
  });

  it('a field of the wrong type is named', () => {
    const arb = fc.constantFrom(...fields).chain((field) => fc.tuple(fc.constant(field), wrongValue(field)));
    fc.assert(
      fc.property(arb, ([field, value]) => {
        expectFailureNaming(schema, setPath(valid, field.path, value), field.path);
      }),
      { numRuns: 300 },
    );
  });

  it('a missing required field is named as required', () => {
    for (const field of fields.filter((f) => f.required && (f.path.length === 1 || (f.path[0] ?? '') in valid))) {
      const body = setPath(valid, field.path, REMOVE);
      expectFailureNaming(schema, body, field.path);
      const result = validate(schema, body);
      if (!result.success)
        expect(result.errors).toContainEqual({ path: formatPath(field.path), message: 'is required' });
    }
  });

  it('an unknown field is named', () => {
    const known = new Set(fields.filter((f) => f.path.length === 1).map((f) => f.path[0]));
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.has(k) && k !== '__proto__'),
        fc.jsonValue(),
        (key, value) => {
          const result = validate(schema, { ...valid, [key]: value });
          expect(result.success).toBe(false);
          if (!result.success)
            expect(result.errors).toContainEqual({ path: formatPath([key]), message: 'unknown field' });
        },
      ),
    );
  });

  it('several bad fields are all named at once', () => {
    const arb = fc
      .subarray(
        fields.filter((f) => f.path.length === 1),
        { minLength: 2 },
      )
      .chain((chosen) => fc.tuple(fc.constant(chosen), fc.tuple(...chosen.map(wrongValue))));
    fc.assert(
      fc.property(arb, ([chosen, values]) => {
        let body = valid;
        chosen.forEach((f, i) => (body = setPath(body, f.path, values[i])));
        for (const f of chosen) expectFailureNaming(schema, body, f.path);
      }),
      { numRuns: 200 },
    );
  });

  it('random JSON never throws, and failures always name paths', () => {
    const anyBody = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fc.constantFrom(...fields.map((f) => f.path[0] ?? ''), 'x'), fc.jsonValue()),
      fc.constantFrom(...fields).chain((f) => fc.jsonValue().map((v) => setPath(valid, f.path, v))),
    );
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = validate(schema, body);
        if (!result.success) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) {
            expect(e.path).toMatch(/\S/);
            expect(e.message).toMatch(/\S/);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('through express', () => {
  const app = express();
  app.use(
    bodyRouter(
      CASES.map(({ name, schema }) => ({
        path: `/${name}`,
        schema,
        answer: (_body, res) => res.status(202).json({ ok: true }),
      })),
    ),
  );
  app.use(problemHandler({ logger: { error: vi.fn() } }));

  it('no body ever produces a 500: bad input is a 400 naming a path', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CASES.map((c) => c.name)),
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string(),
        ),
        async (name, text) => {
          const res = await inject(app, {
            method: 'POST',
            url: `/${name}`,
            headers: { 'content-type': 'application/json' },
            body: text,
          });
          expect([202, 400]).toContain(res.status);
          if (res.status === 400) {
            const body = res.json() as { code: string; errors: Array<{ path: string; message: string }> };
            expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
            expect(body.errors.length).toBeGreaterThan(0);
            for (const e of body.errors) expect(e.path).toMatch(/\S/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

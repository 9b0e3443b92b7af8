// config/example.yaml documents every key of the schema, and documents no key the schema lacks:
// the file (with its commented-out alternatives taken in) and ConfigSchema name the same key paths.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './schema.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const example = readFileSync(join(here, 'example.yaml'), 'utf8');

type Def = { type: string; innerType?: ZodLike; element?: ZodLike; shape?: Record<string, ZodLike>; in?: ZodLike };
type ZodLike = { _zod: { def: Def } };

/** Key paths of a zod schema: `a.b`, list elements as `a[].b`; wrappers (default, optional, …) looked through. */
function schemaPaths(schema: ZodLike, prefix = ''): string[] {
  const def = schema._zod.def;
  if (def.innerType) return schemaPaths(def.innerType, prefix);
  if (def.type === 'pipe' && def.in) return schemaPaths(def.in, prefix);
  if (def.type === 'array' && def.element) return schemaPaths(def.element, `${prefix}[]`);
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([k, v]) => {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      return [path, ...schemaPaths(v, path)];
    });
  }
  return [];
}

/** Key paths of a parsed YAML value, the same way. */
function valuePaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuePaths(v, `${prefix}[]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => {
      const path = prefix === '' ? k : `${prefix}.${k}`;
      return [path, ...valuePaths(v, path)];
    });
  }
  return [];
}

/** The example with its commented-out entries (`# - name: prod`, `#   inCluster: true`) taken in. */
function uncommented(text: string): string {
  return text.replace(/^(\s*)# (\s*(?:- )?[A-Za-z]+:(?:\s|$))/gm, '$1$2').replace(/ {2,}# .*$/gm, '');
}

describe('config/example.yaml and config/schema.ts', () => {
  const documented = new Set(valuePaths(parse(uncommented(example))));
  const known = new Set(schemaPaths(ConfigSchema as unknown as ZodLike));

  it('finds the keys on both sides (the walk itself works)', () => {
    expect(known.size).toBeGreaterThan(30);
    expect([...known].sort()).toEqual([...documented].sort());
    expect(known).toContain('concurrency.backup');
    expect(known).toContain('clusters[].inCluster');
    expect(documented).toContain('clusters[].inCluster');
    expect(documented).toContain('vaults[].endpoint');
  });

  it('every key of the schema is documented in the example', () => {
    expect([...known].filter((k) => !documented.has(k))).toEqual([]);
  });

  it('every key of the example is a key of the schema', () => {
    expect([...documented].filter((k) => !known.has(k))).toEqual([]);
  });
});

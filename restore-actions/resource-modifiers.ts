// Velero's restore resource modifiers (internal/resourcemodifiers), same shape so a Velero
// ConfigMap's YAML can be pasted in:
//
//   version: v1
//   resourceModifierRules:
//   - conditions:
//       groupResource: persistentvolumeclaims      # glob, '.'-separated: `*.apps`, `deployments.apps`
//       resourceNameRegex: "^mysql.*$"            # unanchored, as Go's regexp.MatchString
//       namespaces: [bar, foo]                    # cluster-scoped objects ignore this
//       labelSelector: {matchLabels: {foo: bar}}
//       matches: [{path: /spec/storageClassName, value: premium}]   # JSON Pointer tests, all must hold
//     patches:          # RFC 6902: operation add|remove|replace|move|copy|test, path, from, value
//     - {operation: replace, path: /spec/storageClassName, value: premium}
//     mergePatches:     # RFC 7386, patchData is YAML or JSON
//     - patchData: '{"metadata": {"annotations": {"foo": null}}}'
//     strategicPatches: # Kubernetes strategic merge patch; built-in types only
//     - patchData: '{"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "repo2/nginx"}]}}}}'
//
// As in Velero: conditions are judged on the object as it was before any rule patched it; a rule
// with a failing `test` is skipped silently; a string `value` that reads as JSON (number, true,
// false, null, {...}, [...]) is that JSON and a quoted one ("\"5\"") is the string.
// Unlike Velero, a rule may carry one kind of patch only (Velero silently ignores the others).
//
// This module stays free of the `yaml` package (its Node build pulls in `process` and `buffer`,
// which Temporal's workflow bundle refuses): text is parsed as JSON unless the caller passes a
// parser; resource-modifiers-yaml.ts passes YAML's, for the API and activities.

import { z } from 'zod';
import { parseLabelSelector, validateLabelSelector, type LabelSelectorObject } from '../domain/label-selector.js';
import { globMatch } from '../resources/selection.js';
import { type KubeObject, BUILT_IN_API_GROUPS, parseApiVersion } from '../resources/types.js';
import {
  applyJsonPatch,
  applyMergePatch,
  JsonPatchError,
  parsePointer,
  strategicMerge,
  type PatchOperation,
} from './json-patch.js';

/** Velero's addQuotes rule: which strings are JSON values rather than strings. */
export function patchValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === '') return '';
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1);
  if (value === 'null') return null;
  if (value.toLowerCase() === 'true') return true;
  if (value.toLowerCase() === 'false') return false;
  if (value.startsWith('{') || value.startsWith('[')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return Number(value);
  return value;
}

const pointer = z.string().superRefine((p, ctx) => {
  try {
    parsePointer(p);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

const OPERATIONS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;

const jsonPatchSchema = z
  .object({
    operation: z
      .string({ error: 'operation is required' })
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(OPERATIONS, { error: `operation must be one of ${OPERATIONS.join(', ')}` })),
    path: pointer.refine((p) => p !== '', 'path cannot be empty'),
    from: pointer.optional(),
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.operation === 'move' || p.operation === 'copy') && p.from === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: `from is required for ${p.operation}` });
    if ((p.operation === 'add' || p.operation === 'replace' || p.operation === 'test') && p.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: `value is required for ${p.operation}` });
  });

/** Parses patchData / whole-config text; JSON by default. */
export type TextParser = (text: string) => unknown;

const patchDataSchema = (parseText: TextParser) =>
  z
    .object({
      patchData: z.union([z.string(), z.record(z.string(), z.unknown())], {
        error: 'patchData must be YAML/JSON text or an object',
      }),
    })
    .strict()
    .transform((p, ctx) => {
      if (typeof p.patchData !== 'string') return { patchData: p.patchData as Record<string, unknown> };
      try {
        const parsed: unknown = parseText(p.patchData);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          ctx.addIssue({ code: 'custom', path: ['patchData'], message: 'patchData must hold a map' });
          return z.NEVER;
        }
        return { patchData: parsed as Record<string, unknown> };
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          path: ['patchData'],
          message: `patchData is not valid ${parseText === JSON.parse ? 'JSON' : 'YAML/JSON'}: ${(e as Error).message}`,
        });
        return z.NEVER;
      }
    });

const conditionsSchema = z
  .object({
    groupResource: z.string({ error: 'groupResource is required' }).min(1, 'groupResource cannot be empty'),
    resourceNameRegex: z
      .string()
      .optional()
      .superRefine((r, ctx) => {
        if (r === undefined) return;
        try {
          new RegExp(r);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(e as Error).message}` });
        }
      }),
    namespaces: z.array(z.string()).optional(),
    labelSelector: z
      .object({
        matchLabels: z.record(z.string(), z.string()).optional(),
        matchExpressions: z
          .array(z.object({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }).strict())
          .optional(),
      })
      .strict()
      .optional()
      .superRefine((s, ctx) => {
        if (!s) return;
        const err = validateLabelSelector(s as LabelSelectorObject);
        if (err) ctx.addIssue({ code: 'custom', message: err });
      }),
    matches: z
      .array(
        z
          .object({ path: pointer.refine((p) => p !== '', 'path is required for match rule'), value: z.unknown() })
          .strict(),
      )
      .optional(),
  })
  .strict();

const ruleSchema = (parseText: TextParser) =>
  z
    .object({
      conditions: conditionsSchema,
      patches: z.array(jsonPatchSchema).optional(),
      mergePatches: z.array(patchDataSchema(parseText)).optional(),
      strategicPatches: z.array(patchDataSchema(parseText)).optional(),
    })
    .strict()
    .superRefine((r, ctx) => {
      const kinds = (['patches', 'mergePatches', 'strategicPatches'] as const).filter((k) => (r[k]?.length ?? 0) > 0);
      if (kinds.length === 0)
        ctx.addIssue({ code: 'custom', message: 'a rule needs patches, mergePatches or strategicPatches' });
      if (kinds.length > 1)
        ctx.addIssue({
          code: 'custom',
          path: [kinds[1] ?? ''],
          message: `only one of ${kinds.join(', ')} may be set in a rule`,
        });
    });

/** The schema, with patchData text parsed by `parseText`. */
export const resourceModifiersSchema = (parseText: TextParser) =>
  z
    .object({
      version: z
        .string({ error: 'version is required' })
        .refine((v) => v.toLowerCase() === 'v1', { message: 'unsupported resource modifier version (only v1)' }),
      resourceModifierRules: z.array(ruleSchema(parseText)).min(1, 'resource modifier rules cannot be empty'),
    })
    .strict();

/** The schema with JSON patchData text (the REST API's JSON bodies). */
export const ResourceModifiersSchema = resourceModifiersSchema(JSON.parse);

export type ResourceModifiers = z.output<ReturnType<typeof resourceModifiersSchema>>;
export type ResourceModifierRule = ResourceModifiers['resourceModifierRules'][number];

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

export type ParseResult =
  { ok: true; value: ResourceModifiers } | { ok: false; errors: Array<{ path: string; message: string }> };

/**
 * Validates resource modifiers given as an object or as text (JSON, or whatever `parseText`
 * reads). Errors name the field: `resourceModifierRules[0].patches[1].operation`.
 */
export function parseResourceModifiers(input: unknown, parseText: TextParser = JSON.parse): ParseResult {
  let data = input;
  if (typeof input === 'string') {
    try {
      data = parseText(input);
    } catch (e) {
      return {
        ok: false,
        errors: [
          {
            path: '',
            message: `not valid ${parseText === JSON.parse ? 'JSON' : 'YAML/JSON'}: ${(e as Error).message}`,
          },
        ],
      };
    }
  }
  const r = resourceModifiersSchema(parseText).safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, errors: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) };
}

// ---------------------------------------------------------------------------------------------
// Applying
// ---------------------------------------------------------------------------------------------

/** Matches Velero's groupResource condition: a glob with '.' as separator (`*` stays within a segment, `**` crosses). */
export function groupResourceMatches(pattern: string, gr: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '*' && pattern.charAt(i + 1) === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^.]*';
    else if (c === '?') re += '[^.]';
    else if (c === '{') {
      const end = pattern.indexOf('}', i);
      if (end < 0) return false;
      const alts = pattern
        .slice(i + 1, end)
        .split(',')
        .map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      re += `(?:${alts.join('|')})`;
      i = end;
    } else re += c.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(re + '$').test(gr);
}

function ruleMatches(rule: ResourceModifierRule, obj: KubeObject, gr: string): boolean {
  const c = rule.conditions;
  const ns = obj.metadata.namespace;
  if (ns && c.namespaces && c.namespaces.length > 0 && !c.namespaces.some((p) => globMatch(p, ns))) return false;
  if (!groupResourceMatches(c.groupResource, gr)) return false;
  if (c.resourceNameRegex && !new RegExp(c.resourceNameRegex).test(obj.metadata.name)) return false;
  if (c.labelSelector && !parseLabelSelector(c.labelSelector as LabelSelectorObject).matches(obj.metadata.labels))
    return false;
  if (c.matches && c.matches.length > 0) {
    try {
      applyJsonPatch(
        obj,
        c.matches.map((m) => ({ op: 'test' as const, path: m.path, value: patchValue(m.value) })),
      );
    } catch (e) {
      if (e instanceof JsonPatchError) return false;
      throw e;
    }
  }
  return true;
}

function toOperations(rule: ResourceModifierRule): PatchOperation[] {
  return (rule.patches ?? []).map((p): PatchOperation => {
    switch (p.operation) {
      case 'add':
      case 'replace':
      case 'test':
        return { op: p.operation, path: p.path, value: patchValue(p.value) };
      case 'remove':
        return { op: 'remove', path: p.path };
      case 'move':
      case 'copy':
        return { op: p.operation, from: p.from ?? '', path: p.path };
    }
  });
}

export interface ModifierResult {
  object: KubeObject;
  /** Indexes of the rules that patched the object. */
  applied: number[];
  /** One message per failed rule; the item should fail. */
  errors: string[];
}

/** Applies every matching rule in order; `gr` is `resource.group`. Returns a new object. */
export function applyResourceModifiers(
  obj: KubeObject,
  gr: string,
  modifiers: ResourceModifiers | undefined,
): ModifierResult {
  const result: ModifierResult = { object: obj, applied: [], errors: [] };
  if (!modifiers) return result;
  const origin = obj;
  let current: KubeObject = obj;
  modifiers.resourceModifierRules.forEach((rule, i) => {
    if (!ruleMatches(rule, origin, gr)) return;
    try {
      if (rule.patches && rule.patches.length > 0) {
        current = applyJsonPatch(current, toOperations(rule));
      } else if (rule.mergePatches && rule.mergePatches.length > 0) {
        let next: unknown = current;
        for (const p of rule.mergePatches) next = applyMergePatch(next, p.patchData);
        current = next as KubeObject;
      } else if (rule.strategicPatches && rule.strategicPatches.length > 0) {
        const { group } = parseApiVersion(current.apiVersion);
        if (!BUILT_IN_API_GROUPS.has(group))
          throw new Error(
            `strategic merge patch is not supported for custom resources (${current.apiVersion} ${current.kind}); use patches or mergePatches`,
          );
        let next: unknown = current;
        for (const p of rule.strategicPatches) next = strategicMerge(next, p.patchData);
        current = next as KubeObject;
      }
      result.applied.push(i);
    } catch (e) {
      if (e instanceof JsonPatchError && e.testFailed) return;
      result.errors.push(`resource modifier rule ${i}: ${(e as Error).message}`);
    }
  });
  result.object = current;
  return result;
}

// Validation of input against the domain's schemas: every invalid field named by its dotted path,
// with wording meant for people. The API answers these as a 400; the configuration loader reports
// them at start.

import { z } from 'zod';

/** One invalid field: where, and what is wrong with it. */
export const FieldErrorSchema = z
  .object({
    path: z
      .string()
      .meta({ description: "Dotted path of the field, '(root)' for the body itself.", example: 'template.ttl' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });
export type FieldError = z.infer<typeof FieldErrorSchema>;

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

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `['template', 'includedNamespaces', 2]` → `template.includedNamespaces.2`; `[]` → `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += out === '' ? String(seg) : `.${seg}`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

type Issue = z.core.$ZodIssue;

function isRootTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_union'));
}

function collect(issues: readonly Issue[], prefix: readonly PropertyKey[], out: FieldError[]): void {
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown field' });
        break;
      case 'invalid_union': {
        // Report the branch the value was meant for: the one that got past the type check.
        const meant = issue.errors.filter((branch) => branch.length > 0 && !isRootTypeMismatch(branch));
        const best = meant.sort((a, b) => a.length - b.length)[0];
        if (best) collect(best, path, out);
        else out.push({ path: formatPath(path), message: issue.message });
        break;
      }
      case 'invalid_key': {
        const inner = issue.issues.map((i) => i.message).join('; ');
        out.push({ path: formatPath(path), message: `invalid key: ${inner || issue.message}` });
        break;
      }
      case 'invalid_element': {
        const inner = issue.issues.map((i) => i.message).join('; ');
        out.push({ path: formatPath(path), message: inner || issue.message });
        break;
      }
      default:
        out.push({ path: formatPath(path), message: issue.message });
    }
  }
}

/** Every invalid field of a failed parse, one entry per problem, in input order, deduplicated. */
export function fieldErrors(error: z.ZodError | readonly Issue[]): FieldError[] {
  const issues = Array.isArray(error) ? (error as readonly Issue[]) : (error as z.ZodError).issues;
  const out: FieldError[] = [];
  collect(issues, [], out);
  const seen = new Set<string>();
  return out.filter((e) => {
    const key = `${e.path}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Validates `input` against `schema`; never throws for bad input. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.output<S>> {
  const result = schema.safeParse(input, { error: errorMap });
  if (result.success) return { success: true, data: result.data };
  return { success: false, errors: fieldErrors(result.error) };
}

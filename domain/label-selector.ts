// Kubernetes label selectors: the string form (`app=web,tier!=db,env in (prod,staging),!legacy`)
// that `kubectl -l` and the API's `labelSelector` query take, and the object form
// (`{matchLabels, matchExpressions}`) of metav1.LabelSelector. Pure: no I/O.

export type SelectorOperator =
  'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'GreaterThan' | 'LessThan';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  /** Empty for Exists / DoesNotExist; one value for Equals, NotEquals, GreaterThan, LessThan. */
  values: string[];
}

/** metav1.LabelSelector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export type LabelSelectorInput = string | LabelSelectorObject;

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  /** True when every requirement holds; an empty selector matches everything. */
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** The canonical string form, requirements sorted by key as Kubernetes prints them. */
  toString(): string;
}

/** A malformed selector. `part` is the offending piece (a requirement, key, value or field path). */
export class LabelSelectorError extends Error {
  readonly part: string;
  constructor(selector: string, part: string, reason: string) {
    super(`invalid label selector ${JSON.stringify(selector)}: ${JSON.stringify(part)}: ${reason}`);
    this.name = 'LabelSelectorError';
    this.part = part;
  }
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INTEGER = /^-?\d+$/;

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined when it is. */
export function labelKeyError(key: string): string | undefined {
  if (key === '') return 'key must not be empty';
  const slash = key.lastIndexOf('/');
  let name = key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix === '') return 'prefix part must not be empty';
    if (prefix.length > 253) return 'prefix part must be no more than 253 characters';
    if (!DNS1123_SUBDOMAIN.test(prefix)) return 'prefix part must be a lowercase DNS-1123 subdomain';
  }
  if (name === '') return 'name part must not be empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_PART.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return 'value must be no more than 63 characters';
  if (!NAME_PART.test(value))
    return "value must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string, selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') {
      depth++;
      if (depth > 1) throw new LabelSelectorError(selector, s.slice(start), 'nested parentheses');
    } else if (c === ')') {
      depth--;
      if (depth < 0) throw new LabelSelectorError(selector, s.slice(start, i + 1), "unmatched ')'");
    } else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new LabelSelectorError(selector, s.slice(start), "missing ')'");
  parts.push(s.slice(start));
  return parts;
}

function checkKey(selector: string, key: string): void {
  const err = labelKeyError(key);
  if (err) throw new LabelSelectorError(selector, key, err);
}

function checkValue(selector: string, value: string): void {
  const err = labelValueError(value);
  if (err) throw new LabelSelectorError(selector, value, err);
}

const SET_FORM = /^(\S+)\s+(in|notin)\s*\((.*)\)$/s;

function parseRequirement(raw: string, selector: string): Requirement {
  const part = raw.trim();
  if (part === '') throw new LabelSelectorError(selector, raw, 'empty requirement (stray comma?)');

  const set = SET_FORM.exec(part);
  if (set) {
    const [, key = '', op, list = ''] = set;
    checkKey(selector, key);
    const values = list.split(',').map((v) => v.trim());
    if (list.trim() === '') throw new LabelSelectorError(selector, part, `'${op}' needs at least one value`);
    for (const v of values) checkValue(selector, v);
    return { key, operator: op === 'in' ? 'In' : 'NotIn', values: [...new Set(values)] };
  }

  if (part.startsWith('!')) {
    const key = part.slice(1).trim();
    if (/[=<>()\s]/.test(key))
      throw new LabelSelectorError(selector, part, "'!' takes a key only (use '!=' to compare)");
    checkKey(selector, key);
    return { key, operator: 'DoesNotExist', values: [] };
  }

  const ops: Array<[string, SelectorOperator]> = [
    ['!=', 'NotEquals'],
    ['==', 'Equals'],
    ['=', 'Equals'],
    ['>', 'GreaterThan'],
    ['<', 'LessThan'],
  ];
  for (const [token, operator] of ops) {
    const at = part.indexOf(token);
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + token.length).trim();
    if (key === '') throw new LabelSelectorError(selector, part, `missing key before '${token}'`);
    checkKey(selector, key);
    if (/[=!<>]/.test(value)) throw new LabelSelectorError(selector, part, 'more than one operator');
    if (operator === 'GreaterThan' || operator === 'LessThan') {
      if (!INTEGER.test(value)) throw new LabelSelectorError(selector, value, `'${token}' needs an integer value`);
    } else {
      checkValue(selector, value);
    }
    return { key, operator, values: [value] };
  }

  if (/\s/.test(part))
    throw new LabelSelectorError(selector, part, "unknown operator (expected =, ==, !=, in, notin, '!key' or 'key')");
  checkKey(selector, part);
  return { key: part, operator: 'Exists', values: [] };
}

function holds(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Equals':
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotEquals':
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'GreaterThan':
    case 'LessThan': {
      if (value === undefined || !INTEGER.test(value)) return false;
      const have = Number(value);
      const want = Number(r.values[0]);
      return r.operator === 'GreaterThan' ? have > want : have < want;
    }
  }
}

function requirementToString(r: Requirement): string {
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${r.values[0] ?? ''}`;
    case 'NotEquals':
      return `${r.key}!=${r.values[0] ?? ''}`;
    case 'GreaterThan':
      return `${r.key}>${r.values[0] ?? ''}`;
    case 'LessThan':
      return `${r.key}<${r.values[0] ?? ''}`;
    case 'In':
      return `${r.key} in (${[...r.values].sort().join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${[...r.values].sort().join(',')})`;
  }
}

function makeSelector(requirements: Requirement[]): LabelSelector {
  const frozen = requirements.map((r) => ({ ...r, values: [...r.values] }));
  return {
    requirements: frozen,
    matches(labels) {
      const l = labels ?? {};
      return frozen.every((r) => holds(r, l));
    },
    toString() {
      return [...frozen]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map(requirementToString)
        .join(',');
    },
  };
}

const OBJECT_OPERATORS: Record<string, SelectorOperator> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

function parseObject(sel: LabelSelectorObject): LabelSelector {
  const label = JSON.stringify(sel);
  const reqs: Requirement[] = [];
  if (sel.matchLabels !== undefined) {
    if (typeof sel.matchLabels !== 'object' || sel.matchLabels === null || Array.isArray(sel.matchLabels))
      throw new LabelSelectorError(label, 'matchLabels', 'must be an object of key: value');
    for (const [key, value] of Object.entries(sel.matchLabels)) {
      const kErr = labelKeyError(key);
      if (kErr) throw new LabelSelectorError(label, `matchLabels.${key}`, kErr);
      if (typeof value !== 'string')
        throw new LabelSelectorError(label, `matchLabels.${key}`, 'value must be a string');
      const vErr = labelValueError(value);
      if (vErr) throw new LabelSelectorError(label, `matchLabels.${key}`, vErr);
      reqs.push({ key, operator: 'Equals', values: [value] });
    }
  }
  if (sel.matchExpressions !== undefined) {
    if (!Array.isArray(sel.matchExpressions)) throw new LabelSelectorError(label, 'matchExpressions', 'must be a list');
    sel.matchExpressions.forEach((e, i) => {
      const at = `matchExpressions[${i}]`;
      if (typeof e !== 'object' || e === null) throw new LabelSelectorError(label, at, 'must be an object');
      const kErr = typeof e.key === 'string' ? labelKeyError(e.key) : 'key must be a string';
      if (kErr) throw new LabelSelectorError(label, `${at}.key`, kErr);
      const operator = OBJECT_OPERATORS[e.operator];
      if (!operator)
        throw new LabelSelectorError(
          label,
          `${at}.operator`,
          `${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`,
        );
      const values = e.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
        throw new LabelSelectorError(label, `${at}.values`, 'must be a list of strings');
      if ((operator === 'In' || operator === 'NotIn') && values.length === 0)
        throw new LabelSelectorError(label, `${at}.values`, `must be non-empty for ${e.operator}`);
      if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0)
        throw new LabelSelectorError(label, `${at}.values`, `must be empty for ${e.operator}`);
      values.forEach((v, j) => {
        const vErr = labelValueError(v);
        if (vErr) throw new LabelSelectorError(label, `${at}.values[${j}]`, vErr);
      });
      reqs.push({ key: e.key, operator, values: [...new Set(values)] });
    });
  }
  return makeSelector(reqs);
}

/** Parses either form; throws LabelSelectorError naming the bad part. */
export function parseLabelSelector(input: LabelSelectorInput): LabelSelector {
  if (typeof input === 'string') {
    if (input.trim() === '') return makeSelector([]);
    return makeSelector(splitTopLevel(input, input).map((p) => parseRequirement(p, input)));
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new LabelSelectorError(
      String(input),
      String(input),
      'a label selector is a string or {matchLabels, matchExpressions}',
    );
  return parseObject(input);
}

/** Like parseLabelSelector, but returns the error message instead of throwing. */
export function validateLabelSelector(input: LabelSelectorInput): string | undefined {
  try {
    parseLabelSelector(input);
    return undefined;
  } catch (e) {
    if (e instanceof LabelSelectorError) return e.message;
    throw e;
  }
}

export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

/** Matches when any of the selectors matches (Velero's `orLabelSelectors`). No selectors: matches everything. */
export function orLabelSelectors(selectors: readonly LabelSelectorInput[]): LabelMatcher {
  const parsed = selectors.map(parseLabelSelector);
  return {
    matches(labels) {
      return parsed.length === 0 || parsed.some((s) => s.matches(labels));
    },
  };
}

/**
 * The filter of a backup or restore spec: `labelSelector` and `orLabelSelectors` are exclusive
 * (as in Velero); neither set matches everything.
 */
export function labelFilter(spec: {
  labelSelector?: LabelSelectorInput;
  orLabelSelectors?: readonly LabelSelectorInput[];
}): LabelMatcher {
  if (spec.labelSelector !== undefined && spec.orLabelSelectors !== undefined && spec.orLabelSelectors.length > 0)
    throw new LabelSelectorError('', 'labelSelector', 'labelSelector and orLabelSelectors cannot both be set');
  if (spec.labelSelector !== undefined) return parseLabelSelector(spec.labelSelector);
  return orLabelSelectors(spec.orLabelSelectors ?? []);
}

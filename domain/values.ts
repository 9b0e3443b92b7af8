// Names, label selectors, filters and durations: the small values every task spec is built from,
// with the Kubernetes and Velero rules they follow. Defined once: the API validates requests with
// them (and documents them through `.meta()`), the configuration reuses them, the backup applies them.

import { z } from 'zod';
import { isGoDuration, parseGoDurationNanos } from '../lib/duration.js';
import { labelKeyError, labelValueError, validateLabelSelector } from './label-selector.js';
import { MAX_PLAN_NAME_LENGTH } from './schedule-expression.js';

export type Fields = Record<string, unknown>;

/**
 * Cross-field rules run even when some fields are invalid, so a 400 lists every problem at
 * once; the rule functions therefore read their input defensively.
 */
export const always = { when: (payload: { value: unknown }) => isRecord(payload.value) };

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const LABEL_MESSAGE =
  "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";

/** A task, vault, cluster or plan name: a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63). */
export const NameSchema = z
  .string()
  .max(63, LABEL_MESSAGE)
  .regex(DNS1123_LABEL, LABEL_MESSAGE)
  .meta({ id: 'Name', example: 'nginx-backup', description: 'A DNS-1123 label.' });

/** Names we did not choose (backups made by Velero, StorageClasses): DNS-1123 subdomains (≤ 253). */
export const ObjectNameSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(DNS1123_SUBDOMAIN, "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'")
  .meta({ example: 'nginx-backup' });

/** A backup plan name leaves room for the `-yyyyMMddHHmmss` suffix of the backups it starts. */
export const PlanNameSchema = z
  .string()
  .max(
    MAX_PLAN_NAME_LENGTH,
    `must be at most ${MAX_PLAN_NAME_LENGTH} characters, so that <plan>-<yyyyMMddHHmmss> stays a DNS-1123 label`,
  )
  .regex(DNS1123_LABEL, LABEL_MESSAGE)
  .meta({
    id: 'PlanName',
    example: 'nightly',
    description: `A DNS-1123 label of at most ${MAX_PLAN_NAME_LENGTH} characters.`,
  });

/** Is `text` a Kubernetes label key (`[prefix/]name`)? */

const LabelKeySchema = z.string().superRefine((key, ctx) => {
  const problem = labelKeyError(key);
  if (problem) ctx.addIssue({ code: 'custom', message: `must be a label key: ${problem}` });
});
const LabelValueSchema = z.string().superRefine((value, ctx) => {
  const problem = labelValueError(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `must be a label value: ${problem}` });
});

const LabelSelectorRequirementSchema = z
  .strictObject({
    key: LabelKeySchema,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(LabelValueSchema).optional(),
  })
  .superRefine((req: Fields, ctx) => {
    const n = Array.isArray(req.values) ? req.values.length : 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && n === 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `must be non-empty when operator is ${req.operator}` });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && n > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty when operator is ${req.operator}` });
    }
  }, always)
  .meta({ id: 'LabelSelectorRequirement' });

/** `metav1.LabelSelector`. */
export const LabelSelectorObjectSchema = z
  .strictObject({
    matchLabels: z.record(LabelKeySchema, LabelValueSchema).optional(),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
  })
  .meta({ id: 'LabelSelectorObject' });

/** A label selector as kubectl writes it (`app=web,tier in (a,b)`) or as `metav1.LabelSelector`. */
export const LabelSelectorSchema = z
  .union(
    [
      z.string().superRefine((s, ctx) => {
        // The parser the backup applies, so the API accepts exactly the selectors a backup can use.
        const problem =
          s.trim() === '' ? 'label selector is empty; omit the field to select everything' : validateLabelSelector(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
      LabelSelectorObjectSchema,
    ],
    {
      error:
        'expected a label selector string such as "app=web,tier in (a,b)" or an object {matchLabels, matchExpressions}',
    },
  )
  .meta({ id: 'LabelSelector' });

const NAMESPACE_PATTERN = /^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/;
/** A namespace name, or a glob over names (`*`, `app-*`), as Velero's namespace filters take. */
export const NamespacePatternSchema = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(NAMESPACE_PATTERN, "must be a namespace name or a glob over names ('*', 'app-*')");
const RESOURCE_PATTERN = /^(\*|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
/** A resource (`deployments`, `deployments.apps`, `*`), as Velero's resource filters take. */
export const ResourcePatternSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(RESOURCE_PATTERN, "must be a resource such as 'pods', 'deployments.apps' or '*'");

export const NamespaceNameSchema = z.string().max(63, LABEL_MESSAGE).regex(DNS1123_LABEL, LABEL_MESSAGE);

/** A Go duration such as `720h0m0s` or `72h`; must be positive. */
export const GoDurationSchema = z
  .string()
  .superRefine((s, ctx) => {
    if (!isGoDuration(s))
      ctx.addIssue({ code: 'custom', message: 'must be a Go duration such as "720h0m0s", "72h" or "90m"' });
    else if (parseGoDurationNanos(s) <= 0n) ctx.addIssue({ code: 'custom', message: 'must be positive' });
  })
  .meta({ example: '720h0m0s' });

// ---------------------------------------------------------------------------------------------
// Filters shared by backups and restores, with Velero's consistency rules

function strings(value: unknown): Array<string | undefined> {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : undefined)) : [];
}

function checkIncludeExclude(spec: Fields, ctx: z.RefinementCtx, what: 'Namespaces' | 'Resources'): void {
  const included = new Set(strings(spec[`included${what}`]));
  strings(spec[`excluded${what}`]).forEach((item, i) => {
    if (item === undefined) return;
    if (item === '*') {
      ctx.addIssue({ code: 'custom', path: [`excluded${what}`, i], message: "cannot contain '*'" });
    } else if (included.has(item)) {
      ctx.addIssue({
        code: 'custom',
        path: [`excluded${what}`, i],
        message: `${JSON.stringify(item)} is also in included${what}`,
      });
    }
  });
}

export function checkFilters(spec: Fields, ctx: z.RefinementCtx): void {
  checkIncludeExclude(spec, ctx, 'Namespaces');
  checkIncludeExclude(spec, ctx, 'Resources');
}

export const filterShape = {
  includedNamespaces: z.array(NamespacePatternSchema).optional(),
  excludedNamespaces: z.array(NamespacePatternSchema).optional(),
  includedResources: z.array(ResourcePatternSchema).optional(),
  excludedResources: z.array(ResourcePatternSchema).optional(),
  labelSelector: LabelSelectorSchema.optional(),
};

export type Name = z.infer<typeof NameSchema>;
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;

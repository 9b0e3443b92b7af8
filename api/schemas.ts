// The REST contract's bodies and resources as zod schemas, defined once: the API validates
// requests with them, `api/openapi.ts` builds the OpenAPI 3.1 document from them, and
// `config/` reuses the vault schema for vaults preconfigured at start. Field names follow the
// backup center's and Velero's resources (see /work/shared/API.md).

import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { isGoDuration, parseGoDurationNanos } from '../lib/duration.js';
import { MAX_PLAN_NAME_LENGTH, scheduleProblem } from '../schedules/schedule-spec.js';

extendZodWithOpenApi(z);

type Fields = Record<string, unknown>;

/**
 * Cross-field rules run even when some fields are invalid, so a 400 lists every problem at
 * once; the rule functions therefore read their input defensively.
 */
const always = { when: (payload: { value: unknown }) => isRecord(payload.value) };

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Names and small values

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_MESSAGE =
  "must be a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit";

/** A task, vault, cluster or plan name: a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63). */
export const NameSchema = z
  .string()
  .max(63, LABEL_MESSAGE)
  .regex(DNS1123_LABEL, LABEL_MESSAGE)
  .openapi('Name', { example: 'nginx-backup', description: 'A DNS-1123 label.' });

/** Names we did not choose (backups made by Velero, StorageClasses): DNS-1123 subdomains (≤ 253). */
export const ObjectNameSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(DNS1123_SUBDOMAIN, "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'")
  .openapi({ example: 'nginx-backup' });

/** A backup plan name leaves room for the `-yyyyMMddHHmmss` suffix of the backups it starts. */
export const PlanNameSchema = z
  .string()
  .max(
    MAX_PLAN_NAME_LENGTH,
    `must be at most ${MAX_PLAN_NAME_LENGTH} characters, so that <plan>-<yyyyMMddHHmmss> stays a DNS-1123 label`,
  )
  .regex(DNS1123_LABEL, LABEL_MESSAGE)
  .openapi('PlanName', {
    example: 'nightly',
    description: `A DNS-1123 label of at most ${MAX_PLAN_NAME_LENGTH} characters.`,
  });

/** Is `text` a Kubernetes label key (`[prefix/]name`)? */
export function isLabelKey(text: string): boolean {
  const slash = text.lastIndexOf('/');
  const prefix = slash >= 0 ? text.slice(0, slash) : undefined;
  const name = slash >= 0 ? text.slice(slash + 1) : text;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** Is `text` a Kubernetes label value (possibly empty)? */
export function isLabelValue(text: string): boolean {
  return text.length <= 63 && LABEL_VALUE.test(text);
}

const LabelKeySchema = z
  .string()
  .refine(isLabelKey, 'must be a label key: [<DNS subdomain>/]<name of at most 63 characters>');
const LabelValueSchema = z
  .string()
  .refine(
    isLabelValue,
    "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  );

/** Why a label-selector string (`app=web,tier in (a,b),!canary`) is invalid, or undefined. */
export function labelSelectorProblem(text: string): string | undefined {
  if (text.trim() === '') return 'is empty; omit the field to select everything';
  const requirements: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return 'has unbalanced parentheses';
    if (c === ',' && depth === 0) {
      requirements.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return 'has unbalanced parentheses';
  requirements.push(text.slice(start));
  for (const raw of requirements) {
    const r = raw.trim();
    if (r === '') return 'has an empty requirement';
    let m: RegExpExecArray | null;
    if ((m = /^!\s*(\S+)$/.exec(r))) {
      if (!isLabelKey(m[1] ?? '')) return `requirement ${JSON.stringify(r)}: invalid label key`;
    } else if ((m = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/.exec(r))) {
      if (!isLabelKey(m[1] ?? '')) return `requirement ${JSON.stringify(r)}: invalid label key`;
      const values = (m[3] ?? '').split(',').map((v) => v.trim());
      if (values.length === 1 && values[0] === '') return `requirement ${JSON.stringify(r)}: needs at least one value`;
      if (!values.every(isLabelValue)) return `requirement ${JSON.stringify(r)}: invalid label value`;
    } else if ((m = /^([^\s=!]+)\s*(==|=|!=)\s*([^\s=!]*)$/.exec(r))) {
      if (!isLabelKey(m[1] ?? '')) return `requirement ${JSON.stringify(r)}: invalid label key`;
      if (!isLabelValue(m[3] ?? '')) return `requirement ${JSON.stringify(r)}: invalid label value`;
    } else if (!/\s/.test(r) && isLabelKey(r)) {
      // existence
    } else {
      return `requirement ${JSON.stringify(r)} is not "key", "!key", "key=value", "key!=value", "key in (a,b)" or "key notin (a,b)"`;
    }
  }
  return undefined;
}

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
  .openapi('LabelSelectorRequirement');

/** `metav1.LabelSelector`. */
export const LabelSelectorObjectSchema = z
  .strictObject({
    matchLabels: z.record(LabelKeySchema, LabelValueSchema).optional(),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
  })
  .openapi('LabelSelectorObject');

/** A label selector as kubectl writes it (`app=web,tier in (a,b)`) or as `metav1.LabelSelector`. */
export const LabelSelectorSchema = z
  .union(
    [
      z.string().superRefine((s, ctx) => {
        const problem = labelSelectorProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: `label selector ${problem}` });
      }),
      LabelSelectorObjectSchema,
    ],
    {
      error:
        'expected a label selector string such as "app=web,tier in (a,b)" or an object {matchLabels, matchExpressions}',
    },
  )
  .openapi('LabelSelector');

const NAMESPACE_PATTERN = /^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/;
/** A namespace name, or a glob over names (`*`, `app-*`), as Velero's namespace filters take. */
const NamespacePatternSchema = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(NAMESPACE_PATTERN, "must be a namespace name or a glob over names ('*', 'app-*')");
const RESOURCE_PATTERN = /^(\*|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
/** A resource (`deployments`, `deployments.apps`, `*`), as Velero's resource filters take. */
const ResourcePatternSchema = z
  .string()
  .max(253, 'must be at most 253 characters')
  .regex(RESOURCE_PATTERN, "must be a resource such as 'pods', 'deployments.apps' or '*'");

const NamespaceNameSchema = z.string().max(63, LABEL_MESSAGE).regex(DNS1123_LABEL, LABEL_MESSAGE);

/** A Go duration such as `720h0m0s` or `72h`; must be positive. */
export const GoDurationSchema = z
  .string()
  .superRefine((s, ctx) => {
    if (!isGoDuration(s))
      ctx.addIssue({ code: 'custom', message: 'must be a Go duration such as "720h0m0s", "72h" or "90m"' });
    else if (parseGoDurationNanos(s) <= 0n) ctx.addIssue({ code: 'custom', message: 'must be positive' });
  })
  .openapi({ example: '720h0m0s' });

/** Backups live 30 days unless `ttl` says otherwise (Velero's default). */
export const DEFAULT_BACKUP_TTL = '720h0m0s';

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

function checkFilters(spec: Fields, ctx: z.RefinementCtx): void {
  checkIncludeExclude(spec, ctx, 'Namespaces');
  checkIncludeExclude(spec, ctx, 'Resources');
}

const filterShape = {
  includedNamespaces: z.array(NamespacePatternSchema).optional(),
  excludedNamespaces: z.array(NamespacePatternSchema).optional(),
  includedResources: z.array(ResourcePatternSchema).optional(),
  excludedResources: z.array(ResourcePatternSchema).optional(),
  labelSelector: LabelSelectorSchema.optional(),
};

// ---------------------------------------------------------------------------------------------
// Vaults

export const VaultBackendSchema = z.enum(['filesystem', 'oss', 's3']).openapi('VaultBackend');
export const VaultNetworkSchema = z.enum(['internal', 'public']).openapi('VaultNetwork');

const OSS_BUCKET = /^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/;
const S3_BUCKET = /^[a-z0-9][-a-z0-9.]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;

const vaultShape = {
  backend: VaultBackendSchema,
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.includes('\0') && !p.split(/[\\/]/).includes('..'), "must not contain '..' segments")
    .optional()
    .openapi({ description: 'filesystem: the directory; relative paths resolve under the configured vaultRoot.' }),
  bucket: z.string().optional().openapi({ description: 'oss, s3: the bucket.' }),
  prefix: z
    .string()
    .max(1024)
    .refine((p) => {
      const trimmed = p.replace(/^\/+|\/+$/g, '');
      return trimmed === '' || trimmed.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
    }, "must be a path of non-empty segments without '.' or '..'")
    .optional()
    .openapi({
      description: "oss, s3: the directory inside the bucket; may not be the parent or child of another vault's.",
    }),
  region: z
    .string()
    .regex(REGION, 'must be a region ID such as cn-hangzhou or us-east-1')
    .optional()
    .openapi({ description: 'oss (required), s3: the region ID, e.g. cn-hangzhou.' }),
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .openapi({ description: 'oss, s3: a custom endpoint URL.' }),
  network: VaultNetworkSchema.optional().openapi({
    description: 'oss: reach the bucket over the internal network (default) or the Internet.',
  }),
};

const VAULT_FIELDS = ['path', 'bucket', 'prefix', 'region', 'endpoint', 'network'] as const;
type VaultField = (typeof VAULT_FIELDS)[number];

function checkVault(v: Fields, ctx: z.RefinementCtx): void {
  const backend = v.backend;
  const required = (key: VaultField): void => {
    if (v[key] === undefined)
      ctx.addIssue({ code: 'custom', path: [key], message: `is required for the ${String(backend)} backend` });
  };
  const unused = (key: VaultField): void => {
    if (v[key] !== undefined)
      ctx.addIssue({ code: 'custom', path: [key], message: `is not used by the ${String(backend)} backend` });
  };
  switch (backend) {
    case 'filesystem':
      required('path');
      for (const key of VAULT_FIELDS) if (key !== 'path') unused(key);
      break;
    case 'oss':
      required('bucket');
      required('region');
      unused('path');
      if (typeof v.bucket === 'string' && !OSS_BUCKET.test(v.bucket)) {
        ctx.addIssue({
          code: 'custom',
          path: ['bucket'],
          message:
            "must be an OSS bucket name: 3-63 lowercase letters, digits or '-', starting and ending with a letter or digit",
        });
      }
      break;
    case 's3':
      required('bucket');
      unused('path');
      unused('network');
      if (typeof v.bucket === 'string' && (!S3_BUCKET.test(v.bucket) || v.bucket.includes('..'))) {
        ctx.addIssue({
          code: 'custom',
          path: ['bucket'],
          message: "must be an S3 bucket name: 3-63 lowercase letters, digits, '-' or '.'",
        });
      }
      break;
  }
}

/** A vault's settings; immutable once created. */
export const VaultSpecSchema = z.strictObject(vaultShape).superRefine(checkVault, always).openapi('VaultSpec');
/** `POST /v1/vaults`. */
export const VaultCreateSchema = z
  .strictObject({ name: NameSchema, ...vaultShape })
  .superRefine(checkVault, always)
  .openapi('VaultCreate', {
    description:
      'filesystem needs path; oss needs bucket and region; s3 needs bucket. Fields a backend does not use are refused. A vault is immutable and its name is never reused.',
  });

// ---------------------------------------------------------------------------------------------
// Backups

export const BackupTypeSchema = z.enum(['AppBackup', 'AppAndPvBackup', 'DataProtection']).openapi('BackupType', {
  description:
    'AppBackup: resources only; AppAndPvBackup: resources and volume data; DataProtection: volume data only.',
});

const backupShape = {
  cluster: NameSchema,
  vault: NameSchema,
  backupType: BackupTypeSchema.default('AppBackup'),
  ...filterShape,
  orLabelSelectors: z.array(LabelSelectorSchema).min(1).optional(),
  includeClusterResources: z.boolean().optional(),
  ttl: GoDurationSchema.default(DEFAULT_BACKUP_TTL),
};

function checkBackup(b: Fields, ctx: z.RefinementCtx): void {
  checkFilters(b, ctx);
  if (b.labelSelector !== undefined && b.orLabelSelectors !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['orLabelSelectors'],
      message: 'only one of labelSelector and orLabelSelectors can be set',
    });
  }
}

/** A backup's spec: `POST /v1/backups` without the name, also a backup plan's template. */
export const BackupSpecSchema = z.strictObject(backupShape).superRefine(checkBackup, always).openapi('BackupSpec');
/** `POST /v1/backups`. */
export const BackupCreateSchema = z
  .strictObject({ name: NameSchema, ...backupShape })
  .superRefine(checkBackup, always)
  .openapi('BackupCreate', {
    description:
      'labelSelector and orLabelSelectors exclude each other; an excluded namespace or resource may not also be included, nor be "*".',
  });

// ---------------------------------------------------------------------------------------------
// Restores

const IMAGE_PART = /^[A-Za-z0-9][-A-Za-z0-9._/:@]*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_MAPPING_HINT =
  'must be "<from>,<to>" ("app1:v1,app2:v2", "app1,app2", "docker.io/library/app1:v1,registry.example.com/my/app2:v2") or "<fromTag>:<toTag>" ("v1:v2")';

/** Why an `imageMapping` value (a FAQ image-change case) is invalid, or undefined. */
export function imageMappingProblem(value: string): string | undefined {
  if (value.includes(',')) {
    const parts = value.split(',');
    if (parts.length === 2 && parts.every((p) => IMAGE_PART.test(p))) return undefined;
    return IMAGE_MAPPING_HINT;
  }
  const parts = value.split(':');
  if (parts.length === 2 && parts.every((p) => IMAGE_TAG.test(p))) return undefined;
  return IMAGE_MAPPING_HINT;
}

const ImageMappingSchema = z
  .record(
    z.string().regex(/^case[1-9][0-9]*$/, 'keys must be case1, case2, …, caseN'),
    z.string().superRefine((v, ctx) => {
      const problem = imageMappingProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  )
  .openapi('ImageMapping', {
    description:
      'The FAQ\'s image-change cases: {"case1": "app1:v1,app2:v2"}, "app1,app2" (repository), "v1:v2" (tag), or full references.',
    example: { case1: 'app1:v1,app2:v2' },
  });

const ImageRegistryMappingSchema = z
  .record(
    z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
    z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
  )
  .openapi('ImageRegistryMapping', { example: { 'docker.io/library/': 'registry.example.com/my/' } });

export const StorageClassMappingSchema = z
  .record(ObjectNameSchema, ObjectNameSchema)
  .openapi('StorageClassMapping', { example: { 'alicloud-disk-ssd': 'alicloud-disk-topology-alltype' } });

export const AccessModeSchema = z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']);

/** Velero's resource modifiers (`version: v1`, `resourceModifierRules`); rules are checked where they are applied. */
export const ResourceModifiersSchema = z
  .looseObject({
    version: z.literal('v1'),
    resourceModifierRules: z
      .array(z.looseObject({ conditions: z.looseObject({ groupResource: z.string().min(1) }) }))
      .min(1),
  })
  .openapi('ResourceModifiers');

const restoreShape = {
  backupName: ObjectNameSchema,
  cluster: NameSchema,
  ...filterShape,
  namespaceMapping: z.record(NamespaceNameSchema, NamespaceNameSchema).optional(),
  storageClassMapping: StorageClassMappingSchema.optional(),
  imageRegistryMapping: ImageRegistryMappingSchema.optional(),
  imageMapping: ImageMappingSchema.optional(),
  existingResourcePolicy: z.enum(['none', 'update']).default('none'),
  preserveNodePorts: z.boolean().optional(),
  restorePVs: z.boolean().optional(),
  convertToAccessModes: z
    .array(AccessModeSchema)
    .min(1)
    .refine((modes) => new Set(modes).size === modes.length, 'must not repeat a mode')
    .optional(),
  resourceModifiers: ResourceModifiersSchema.optional(),
};

/** A restore's spec. */
export const RestoreSpecSchema = z.strictObject(restoreShape).superRefine(checkFilters, always).openapi('RestoreSpec');
/** `POST /v1/restores`. */
export const RestoreCreateSchema = z
  .strictObject({ name: NameSchema, ...restoreShape })
  .superRefine(checkFilters, always)
  .openapi('RestoreCreate');

// ---------------------------------------------------------------------------------------------
// Conversions, schedules, delete requests

/** `POST /v1/conversions`: StorageClass conversion of a backup's volumes; named after the backup. */
export const ConversionCreateSchema = z
  .strictObject({
    backupName: ObjectNameSchema,
    cluster: NameSchema,
    storageClassMapping: StorageClassMappingSchema.refine(
      (m) => Object.keys(m).length > 0,
      'must map at least one StorageClass',
    ),
  })
  .openapi('ConversionCreate');

export const ScheduleExpressionSchema = z
  .string()
  .superRefine((s, ctx) => {
    const problem = scheduleProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi('ScheduleExpression', {
    description:
      'A 5-field cron expression (minute hour day-of-month month day-of-week, UTC) or an interval such as 6h30m (at least 1m).',
    example: '1 4 * * *',
  });

/** `POST /v1/schedules`: a backup plan. */
export const ScheduleCreateSchema = z
  .strictObject({
    name: PlanNameSchema,
    schedule: ScheduleExpressionSchema,
    paused: z.boolean().default(false),
    template: BackupSpecSchema,
  })
  .openapi('ScheduleCreate');

export const DeleteObjectTypeSchema = z.enum(['Backup', 'Restore', 'Convert', 'Schedule']).openapi('DeleteObjectType');

/** `POST /v1/delete-requests`. */
export const DeleteRequestCreateSchema = z
  .strictObject({
    deleteObjectName: ObjectNameSchema,
    deleteObjectType: DeleteObjectTypeSchema,
    cluster: NameSchema.optional().openapi({
      description:
        'Backup only: the cluster asking. A backup deleted by a cluster other than the one that made it is marked deleted (no longer listed) and its data stays in the vault.',
    }),
  })
  .openapi('DeleteRequestCreate');

// ---------------------------------------------------------------------------------------------
// Responses

const TimestampSchema = z.iso.datetime({ offset: true }).nullable();

export const TaskIssueSchema = z
  .object({
    code: z.string().openapi({ example: 'ItemFailed' }),
    message: z.string(),
    item: z.string().optional().openapi({ description: 'The failed item, e.g. apps/v1/deployments/default/web.' }),
  })
  .openapi('TaskIssue');

export const TaskPhaseSchema = z.enum(['InProgress', 'Completed', 'PartiallyFailed', 'Failed']).openapi('TaskPhase');
export const ConversionPhaseSchema = z
  .enum(['InProgress', 'Completed', 'PartiallyFailed', 'Failed', 'ConvertFailed'])
  .openapi('ConversionPhase');

function taskStatus<Phase extends z.ZodType, Progress extends z.ZodType>(phase: Phase, progress: Progress) {
  return z.object({
    phase,
    startTimestamp: TimestampSchema,
    completionTimestamp: TimestampSchema,
    errors: z.array(TaskIssueSchema),
    warnings: z.array(TaskIssueSchema),
    failureReason: z.string().nullable(),
    progress,
    links: z.object({
      temporalUi: z.string().nullable().openapi({ description: "The workflow's page in the Temporal Web UI." }),
    }),
  });
}

export const BackupProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsBackedUp: z.number().int().nonnegative() })
  .openapi('BackupProgress');
export const RestoreProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsRestored: z.number().int().nonnegative() })
  .openapi('RestoreProgress');
export const ConversionProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsConverted: z.number().int().nonnegative() })
  .openapi('ConversionProgress');
export const DeleteProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsDeleted: z.number().int().nonnegative() })
  .openapi('DeleteProgress');

export const BackupStatusSchema = taskStatus(TaskPhaseSchema, BackupProgressSchema)
  .extend({ expiration: TimestampSchema.openapi({ description: 'When retention deletes the backup (start + ttl).' }) })
  .openapi('BackupStatus');
export const RestoreStatusSchema = taskStatus(TaskPhaseSchema, RestoreProgressSchema).openapi('RestoreStatus');
export const ConversionStatusSchema = taskStatus(ConversionPhaseSchema, ConversionProgressSchema).openapi(
  'ConversionStatus',
);
export const DeleteRequestStatusSchema = taskStatus(TaskPhaseSchema, DeleteProgressSchema).openapi(
  'DeleteRequestStatus',
);

export const BackupSchema = z
  .object({ name: ObjectNameSchema, spec: BackupSpecSchema, status: BackupStatusSchema })
  .openapi('Backup');
export const RestoreSchema = z
  .object({ name: NameSchema, spec: RestoreSpecSchema, status: RestoreStatusSchema })
  .openapi('Restore');
export const ConversionSchema = z
  .object({
    name: ObjectNameSchema.openapi({ description: 'The backup name.' }),
    spec: ConversionCreateSchema,
    status: ConversionStatusSchema,
  })
  .openapi('Conversion');
export const DeleteRequestSchema = z
  .object({
    name: ObjectNameSchema,
    spec: DeleteRequestCreateSchema,
    status: DeleteRequestStatusSchema,
  })
  .openapi('DeleteRequest');

export const VaultStatusSchema = z
  .object({
    phase: z.enum(['InProgress', 'Available', 'Unavailable']),
    lastValidated: TimestampSchema,
    message: z.string().nullable(),
  })
  .openapi('VaultStatus');
export const VaultSchema = z
  .object({ name: NameSchema, spec: VaultSpecSchema, status: VaultStatusSchema })
  .openapi('Vault');

export const ClusterStatusSchema = z
  .object({
    agentConnected: z.boolean().openapi({ description: 'A cluster agent polls task queue cluster-<name>.' }),
    kubernetesVersion: z.string().nullable(),
    nodes: z.number().int().nonnegative().nullable(),
    zones: z.array(z.string()),
  })
  .openapi('ClusterStatus');
export const ClusterSchema = z.object({ name: NameSchema, status: ClusterStatusSchema }).openapi('Cluster');

export const ScheduleSpecSchema = z
  .object({ schedule: ScheduleExpressionSchema, paused: z.boolean(), template: BackupSpecSchema })
  .openapi('ScheduleSpec');
export const ScheduleStatusSchema = z
  .object({
    paused: z.boolean(),
    nextRuns: z.array(z.iso.datetime({ offset: true })),
    lastBackup: z.object({ name: ObjectNameSchema, startTimestamp: TimestampSchema }).nullable(),
  })
  .openapi('ScheduleStatus');
export const ScheduleSchema = z
  .object({ name: PlanNameSchema, spec: ScheduleSpecSchema, status: ScheduleStatusSchema })
  .openapi('Schedule');

/** An item of a backup (`GET /v1/backups/{name}/resources`). */
export const BackupResourceItemSchema = z
  .object({
    group: z.string().openapi({ description: "'' for the core group" }),
    version: z.string(),
    resource: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
  })
  .openapi('BackupResourceItem');
/** An item of a restore (`GET /v1/restores/{name}/items`). */
export const RestoreItemSchema = z
  .object({
    ...BackupResourceItemSchema.shape,
    outcome: z.enum(['created', 'updated', 'skipped', 'failed']),
    reason: z.string().optional(),
  })
  .openapi('RestoreItem');

function list<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item) }).openapi(name);
}
export const VaultListSchema = list(VaultSchema, 'VaultList');
export const ClusterListSchema = list(ClusterSchema, 'ClusterList');
export const BackupListSchema = list(BackupSchema, 'BackupList');
export const ScheduleListSchema = list(ScheduleSchema, 'ScheduleList');
export const BackupResourceListSchema = list(BackupResourceItemSchema, 'BackupResourceList');
export const RestoreItemListSchema = list(RestoreItemSchema, 'RestoreItemList');

/** `GET /v1/backups?vault=&cluster=&phase=`. */
export const BackupListQuerySchema = z.strictObject({
  vault: NameSchema.optional(),
  cluster: NameSchema.optional(),
  phase: TaskPhaseSchema.optional(),
});

/** `{name}` in a path. Backups and delete requests may carry names made elsewhere (subdomains). */
export const NameParamsSchema = z.object({ name: NameSchema });
export const ObjectNameParamsSchema = z.object({ name: ObjectNameSchema });
export const BackupNameParamsSchema = z.object({ backupName: ObjectNameSchema });

/** RFC 9457 problem details, with the backup center's `code` and per-field `errors`. */
export const FieldErrorSchema = z
  .object({
    path: z
      .string()
      .openapi({ description: "Dotted path of the field, '(root)' for the body itself.", example: 'template.ttl' }),
    message: z.string(),
  })
  .openapi('FieldError');
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem');

export const HealthSchema = z
  .object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })
  .openapi('Health');

// ---------------------------------------------------------------------------------------------
// Types

export type Name = z.infer<typeof NameSchema>;
export type LabelSelector = z.infer<typeof LabelSelectorSchema>;
export type VaultBackend = z.infer<typeof VaultBackendSchema>;
export type VaultSpec = z.infer<typeof VaultSpecSchema>;
export type VaultCreate = z.infer<typeof VaultCreateSchema>;
export type BackupType = z.infer<typeof BackupTypeSchema>;
export type BackupSpec = z.infer<typeof BackupSpecSchema>;
export type BackupSpecInput = z.input<typeof BackupSpecSchema>;
export type BackupCreate = z.infer<typeof BackupCreateSchema>;
export type BackupCreateInput = z.input<typeof BackupCreateSchema>;
export type RestoreSpec = z.infer<typeof RestoreSpecSchema>;
export type RestoreCreate = z.infer<typeof RestoreCreateSchema>;
export type RestoreCreateInput = z.input<typeof RestoreCreateSchema>;
export type ResourceModifiers = z.infer<typeof ResourceModifiersSchema>;
export type ConversionCreate = z.infer<typeof ConversionCreateSchema>;
export type ScheduleCreate = z.infer<typeof ScheduleCreateSchema>;
export type ScheduleCreateInput = z.input<typeof ScheduleCreateSchema>;
export type DeleteObjectType = z.infer<typeof DeleteObjectTypeSchema>;
export type DeleteRequestCreate = z.infer<typeof DeleteRequestCreateSchema>;
export type TaskIssue = z.infer<typeof TaskIssueSchema>;
export type TaskPhase = z.infer<typeof TaskPhaseSchema>;
export type ConversionPhase = z.infer<typeof ConversionPhaseSchema>;
export type BackupStatus = z.infer<typeof BackupStatusSchema>;
export type RestoreStatus = z.infer<typeof RestoreStatusSchema>;
export type ConversionStatus = z.infer<typeof ConversionStatusSchema>;
export type DeleteRequestStatus = z.infer<typeof DeleteRequestStatusSchema>;
export type Backup = z.infer<typeof BackupSchema>;
export type Restore = z.infer<typeof RestoreSchema>;
export type Conversion = z.infer<typeof ConversionSchema>;
export type DeleteRequest = z.infer<typeof DeleteRequestSchema>;
export type VaultStatus = z.infer<typeof VaultStatusSchema>;
export type Vault = z.infer<typeof VaultSchema>;
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;
export type Cluster = z.infer<typeof ClusterSchema>;
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;
export type Schedule = z.infer<typeof ScheduleSchema>;
export type BackupResourceItem = z.infer<typeof BackupResourceItemSchema>;
export type RestoreItem = z.infer<typeof RestoreItemSchema>;
export type BackupListQuery = z.infer<typeof BackupListQuerySchema>;
export type FieldError = z.infer<typeof FieldErrorSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type Health = z.infer<typeof HealthSchema>;

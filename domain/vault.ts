// Backup vaults (the backup center's BackupLocation): where backups are kept, immutable once
// created. The spec says which backend and where; the status is what the vault's workflow finds
// every 5 minutes.

import { z } from 'zod';
import { always, isRecord, NameSchema, type Fields } from './values.js';
import { TimestampSchema } from './task.js';

export const VaultBackendSchema = z.enum(['filesystem', 'oss', 's3']).meta({ id: 'VaultBackend' });
export const VaultNetworkSchema = z.enum(['internal', 'public']).meta({ id: 'VaultNetwork' });

const OSS_BUCKET = /^[a-z0-9][-a-z0-9]{1,61}[a-z0-9]$/;
const S3_BUCKET = /^[a-z0-9][-a-z0-9.]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const KEY_REF = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const vaultShape = {
  backend: VaultBackendSchema,
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => !p.includes('\0'), 'must not contain a NUL byte')
    .refine(
      (p) => p.split(/[\\/]/).every((seg) => seg !== '.' && seg !== '..'),
      "must not contain '.' or '..' segments",
    )
    .optional()
    .meta({ description: 'filesystem: the directory; relative paths resolve under the configured vaultRoot.' }),
  bucket: z.string().optional().meta({ description: 'oss, s3: the bucket.' }),
  prefix: z
    .string()
    .max(1024)
    .refine((p) => {
      const trimmed = p.replace(/^\/+|\/+$/g, '');
      return trimmed === '' || trimmed.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
    }, "must be a path of non-empty segments without '.' or '..'")
    .optional()
    .meta({
      description: "oss, s3: the directory inside the bucket; may not be the parent or child of another vault's.",
    }),
  region: z
    .string()
    .regex(REGION, 'must be a region ID such as cn-hangzhou or us-east-1')
    .optional()
    .meta({ description: 'oss (required), s3: the region ID, e.g. cn-hangzhou.' }),
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .meta({ description: 'oss, s3: a custom endpoint URL.' }),
  pathStyle: z.boolean().optional().meta({
    description:
      's3: address the bucket in the path (http://endpoint/bucket/key) rather than as a host name; default true with a custom endpoint, false on AWS.',
  }),
  network: VaultNetworkSchema.optional().meta({
    description: 'oss: reach the bucket over the internal network (default) or the Internet.',
  }),
  encryption: z
    .strictObject({
      keyRef: z
        .string()
        .regex(KEY_REF, 'must name a key ring: 1-63 lowercase letters, digits or -')
        .meta({ description: "A key ring file `<keysDir>/<keyRef>` of the workers' configuration." }),
    })
    .optional()
    .meta({
      id: 'VaultEncryption',
      description:
        "Client-side encryption: every object is encrypted with AES-256-GCM before it leaves the worker, Secrets included, and records the id of its key, so the key ring's newest key writes and older keys still read.",
    }),
  serverSideEncryption: z
    .strictObject({
      type: z
        .enum(['oss', 'kms'])
        .meta({ description: 'oss: keys managed by the store (OSS AES256, S3 SSE-S3); kms: a KMS key.' }),
      keyId: z
        .string()
        .min(1)
        .max(2048)
        .optional()
        .meta({ description: 'kms: the key id (the store default when absent).' }),
    })
    .optional()
    .meta({
      id: 'VaultServerSideEncryption',
      description: 'oss, s3: encryption at rest by the store, sent on every write.',
    }),
  immutable: z
    .strictObject({
      days: z.int().min(1).max(36500).meta({ description: 'Days every object is retained from its upload.' }),
      mode: z
        .enum(['compliance', 'governance'])
        .optional()
        .meta({ description: 's3: the Object Lock mode (default compliance); OSS retention policies have one mode.' }),
    })
    .optional()
    .meta({
      id: 'VaultImmutability',
      description:
        'oss, s3: objects are written once, with S3 Object Lock retention or under the OSS bucket retention (WORM) policy; nothing is deleted before its retention ends. The bucket must have Object Lock enabled, or a locked WORM policy of at least these days.',
    }),
};

const VAULT_FIELDS = [
  'path',
  'bucket',
  'prefix',
  'region',
  'endpoint',
  'network',
  'pathStyle',
  'serverSideEncryption',
  'immutable',
] as const;
type VaultField = (typeof VAULT_FIELDS)[number];

function checkVault(v: Fields, ctx: z.RefinementCtx): void {
  const backend = v.backend;
  if (
    isRecord(v.serverSideEncryption) &&
    v.serverSideEncryption.keyId !== undefined &&
    v.serverSideEncryption.type !== 'kms'
  )
    ctx.addIssue({ code: 'custom', path: ['serverSideEncryption', 'keyId'], message: 'is only used with type kms' });
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
      for (const key of VAULT_FIELDS) if (key !== 'path' && key !== 'immutable') unused(key);
      if (v.immutable !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['immutable'],
          message:
            'is not available for the filesystem backend: a local directory cannot enforce retention; use an s3 bucket with Object Lock or an oss bucket with a retention policy',
        });
      break;
    case 'oss':
      required('bucket');
      required('region');
      unused('path');
      unused('pathStyle');
      if (isRecord(v.immutable) && v.immutable.mode !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['immutable', 'mode'],
          message: 'is not used by the oss backend: an OSS retention policy has one mode',
        });
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
export const VaultSpecSchema = z.strictObject(vaultShape).superRefine(checkVault, always).meta({ id: 'VaultSpec' });
/** `POST /v1/vaults`. */
export const VaultCreateSchema = z
  .strictObject({ name: NameSchema, ...vaultShape })
  .superRefine(checkVault, always)
  .meta({
    id: 'VaultCreate',
    description:
      'filesystem needs path; oss needs bucket and region; s3 needs bucket. Fields a backend does not use are refused. A vault is immutable and its name is never reused.',
  });

export const VaultPhaseSchema = z.enum(['InProgress', 'Available', 'Unavailable']).meta({ id: 'VaultPhase' });

/** What the vault's workflow finds every 5 minutes (kept in the workflow; the API adds `protection`). */
export const VaultStatusSchema = z.object({
  phase: VaultPhaseSchema,
  lastValidated: TimestampSchema,
  message: z.string().nullable(),
});
export const VaultProtectionSchema = z
  .object({
    clientSideEncryption: z.boolean(),
    keyRef: z.string().nullable(),
    serverSideEncryption: z.enum(['oss', 'kms']).nullable(),
    retentionDays: z.int().nullable(),
    summary: z.string().meta({
      example: 'objects are not encrypted client-side (no key); not immutable',
    }),
  })
  .meta({ id: 'VaultProtection', description: "How the vault's objects are protected, from its spec." });

/** What a vault's spec promises about its objects, said plainly so a vault without a key shows it. */
export function vaultProtection(spec: VaultSpec): z.infer<typeof VaultProtectionSchema> {
  const keyRef = spec.encryption?.keyRef ?? null;
  const sse = spec.serverSideEncryption?.type ?? null;
  const days = spec.immutable?.days ?? null;
  const parts = [
    keyRef === null
      ? 'objects are not encrypted client-side (no key)'
      : `objects are encrypted client-side with AES-256-GCM (key ring ${keyRef})`,
    ...(sse === null ? [] : [`encrypted at rest by the store (${sse === 'kms' ? 'KMS' : 'store-managed keys'})`]),
    days === null ? 'not immutable' : `immutable: every object retained ${days} days`,
  ];
  return {
    clientSideEncryption: keyRef !== null,
    keyRef,
    serverSideEncryption: sse,
    retentionDays: days,
    summary: parts.join('; '),
  };
}

export const VaultSchema = z
  .object({
    name: NameSchema,
    spec: VaultSpecSchema,
    status: VaultStatusSchema.extend({ protection: VaultProtectionSchema }).meta({ id: 'VaultStatus' }),
  })
  .meta({ id: 'Vault' });

export type VaultBackend = z.infer<typeof VaultBackendSchema>;
export type VaultSpec = z.infer<typeof VaultSpecSchema>;
export type VaultCreate = z.infer<typeof VaultCreateSchema>;
export type VaultPhase = z.infer<typeof VaultPhaseSchema>;
export type VaultStatus = z.infer<typeof VaultStatusSchema>;
export type Vault = z.infer<typeof VaultSchema>;

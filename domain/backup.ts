// A backup (the backup center's ApplicationBackup, Velero's Backup): what to take from a cluster
// into which vault, for how long; its status while it runs and after; the items it holds.

import { z } from 'zod';
import { taskStatus, TaskPhaseSchema, TimestampSchema } from './task.js';
import {
  always,
  checkFilters,
  filterShape,
  GoDurationSchema,
  LabelSelectorSchema,
  NameSchema,
  ObjectNameSchema,
  type Fields,
} from './values.js';

/** Backups live 30 days unless `ttl` says otherwise (Velero's default). */
export const DEFAULT_BACKUP_TTL = '720h0m0s';

export const BackupTypeSchema = z.enum(['AppBackup', 'AppAndPvBackup', 'DataProtection']).meta({
  id: 'BackupType',
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
export const BackupSpecSchema = z.strictObject(backupShape).superRefine(checkBackup, always).meta({ id: 'BackupSpec' });
/** `POST /v1/backups`. */
export const BackupCreateSchema = z
  .strictObject({ name: NameSchema, ...backupShape })
  .superRefine(checkBackup, always)
  .meta({
    id: 'BackupCreate',
    description:
      'labelSelector and orLabelSelectors exclude each other; an excluded namespace or resource may not also be included, nor be "*".',
  });

export const BackupProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsBackedUp: z.number().int().nonnegative() })
  .meta({ id: 'BackupProgress' });
export const BackupStatusSchema = taskStatus(TaskPhaseSchema, BackupProgressSchema)
  .extend({ expiration: TimestampSchema.meta({ description: 'When retention deletes the backup (start + ttl).' }) })
  .meta({ id: 'BackupStatus' });
export const BackupSchema = z
  .object({ name: ObjectNameSchema, spec: BackupSpecSchema, status: BackupStatusSchema })
  .meta({ id: 'Backup' });
/** An item of a backup (`GET /v1/backups/{name}/resources`). */
export const BackupResourceItemSchema = z
  .object({
    group: z.string().meta({ description: "'' for the core group" }),
    version: z.string(),
    resource: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
  })
  .meta({ id: 'BackupResourceItem' });

export type BackupType = z.infer<typeof BackupTypeSchema>;
export type BackupSpec = z.infer<typeof BackupSpecSchema>;
export type BackupSpecInput = z.input<typeof BackupSpecSchema>;
export type BackupCreate = z.infer<typeof BackupCreateSchema>;
export type BackupCreateInput = z.input<typeof BackupCreateSchema>;
export type BackupStatus = z.infer<typeof BackupStatusSchema>;
export type Backup = z.infer<typeof BackupSchema>;
export type BackupResourceItem = z.infer<typeof BackupResourceItemSchema>;

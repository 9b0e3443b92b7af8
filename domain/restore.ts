// A restore (ApplicationRestore, Velero's Restore): which backup into which cluster, with the
// FAQ's and Velero's changes on the way (namespace, StorageClass and image mappings, modifiers);
// its status, and the outcome of every item it touched.

import { z } from 'zod';
import { BackupResourceItemSchema } from './backup.js';
import { taskStatus, TaskPhaseSchema } from './task.js';
import { always, checkFilters, filterShape, NameSchema, NamespaceNameSchema, ObjectNameSchema } from './values.js';

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
  .meta({
    id: 'ImageMapping',
    description:
      'The FAQ\'s image-change cases: {"case1": "app1:v1,app2:v2"}, "app1,app2" (repository), "v1:v2" (tag), or full references.',
    example: { case1: 'app1:v1,app2:v2' },
  });

const ImageRegistryMappingSchema = z
  .record(
    z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
    z.string().min(1).regex(/^\S+$/, 'must not contain whitespace'),
  )
  .meta({ id: 'ImageRegistryMapping', example: { 'docker.io/library/': 'registry.example.com/my/' } });

export const StorageClassMappingSchema = z
  .record(ObjectNameSchema, ObjectNameSchema)
  .meta({ id: 'StorageClassMapping', example: { 'alicloud-disk-ssd': 'alicloud-disk-topology-alltype' } });

export const AccessModeSchema = z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']);

/** Velero's resource modifiers (`version: v1`, `resourceModifierRules`); rules are checked where they are applied. */
export const ResourceModifiersSchema = z
  .looseObject({
    version: z.literal('v1'),
    resourceModifierRules: z
      .array(z.looseObject({ conditions: z.looseObject({ groupResource: z.string().min(1) }) }))
      .min(1),
  })
  .meta({ id: 'ResourceModifiers' });

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
export const RestoreSpecSchema = z
  .strictObject(restoreShape)
  .superRefine(checkFilters, always)
  .meta({ id: 'RestoreSpec' });
/** `POST /v1/restores`. */
export const RestoreCreateSchema = z
  .strictObject({ name: NameSchema, ...restoreShape })
  .superRefine(checkFilters, always)
  .meta({ id: 'RestoreCreate' });

export const RestoreProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsRestored: z.number().int().nonnegative() })
  .meta({ id: 'RestoreProgress' });
export const RestoreStatusSchema = taskStatus(TaskPhaseSchema, RestoreProgressSchema).meta({ id: 'RestoreStatus' });
export const RestoreSchema = z
  .object({ name: NameSchema, spec: RestoreSpecSchema, status: RestoreStatusSchema })
  .meta({ id: 'Restore' });
/** Velero's item restore result words. */
export const RestoreItemOutcomeSchema = z.enum(['created', 'updated', 'skipped', 'failed']);

/**
 * The outcome of one item a restore touched: kept with the restore in the vault
 * (`restore-<name>-items.json.gz`) and served by `GET /v1/restores/{name}/items`.
 */
export const RestoreItemSchema = z
  .object({
    ...BackupResourceItemSchema.shape,
    outcome: RestoreItemOutcomeSchema,
    code: z
      .string()
      .optional()
      .meta({ description: 'Stable machine code of a failed or skipped item (the error catalogue).' }),
    reason: z.string().optional(),
  })
  .meta({ id: 'RestoreItem' });

export type RestoreSpec = z.infer<typeof RestoreSpecSchema>;
export type RestoreCreate = z.infer<typeof RestoreCreateSchema>;
export type RestoreCreateInput = z.input<typeof RestoreCreateSchema>;
export type ResourceModifiers = z.infer<typeof ResourceModifiersSchema>;
export type RestoreStatus = z.infer<typeof RestoreStatusSchema>;
export type Restore = z.infer<typeof RestoreSchema>;
export type RestoreItemOutcome = z.infer<typeof RestoreItemOutcomeSchema>;
export type RestoreItem = z.infer<typeof RestoreItemSchema>;

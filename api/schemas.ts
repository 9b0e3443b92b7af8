// What only HTTP needs beside the domain model (domain/): list envelopes, query and path
// parameters, problem details and health. The OpenAPI document (api/openapi.ts) is built from these
// and the domain schemas; zod-to-openapi reads the domain's `.meta()` ids and descriptions.

import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { BackupResourceItemSchema, BackupSchema } from '../domain/backup.js';
import { ScheduleSchema } from '../domain/backup-plan.js';
import { ClusterSchema } from '../domain/cluster.js';
import { RestoreItemSchema } from '../domain/restore.js';
import { TaskPhaseSchema } from '../domain/task.js';
import { NameSchema, ObjectNameSchema } from '../domain/values.js';
import { FieldErrorSchema } from '../domain/validation.js';
import { VaultSchema } from '../domain/vault.js';

extendZodWithOpenApi(z);

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

export type BackupListQuery = z.infer<typeof BackupListQuerySchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type Health = z.infer<typeof HealthSchema>;

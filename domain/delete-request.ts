// Delete requests (the backup center's DeleteRequest): remove a backup with its data, a restore's
// records, or a backup plan.

import { z } from 'zod';
import { taskStatus, TaskPhaseSchema } from './task.js';
import { NameSchema, ObjectNameSchema } from './values.js';

export const DeleteObjectTypeSchema = z
  .enum(['Backup', 'Restore', 'Convert', 'Schedule'])
  .meta({ id: 'DeleteObjectType' });

/** `POST /v1/delete-requests`. */
export const DeleteRequestCreateSchema = z
  .strictObject({
    deleteObjectName: ObjectNameSchema,
    deleteObjectType: DeleteObjectTypeSchema,
    cluster: NameSchema.optional().meta({
      description:
        'Backup only: the cluster asking. A backup deleted by a cluster other than the one that made it is marked deleted (no longer listed) and its data stays in the vault.',
    }),
  })
  .meta({ id: 'DeleteRequestCreate' });

export const DeleteProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsDeleted: z.number().int().nonnegative() })
  .meta({ id: 'DeleteProgress' });
export const DeleteRequestStatusSchema = taskStatus(TaskPhaseSchema, DeleteProgressSchema).meta({
  id: 'DeleteRequestStatus',
});

export const DeleteRequestSchema = z
  .object({
    name: ObjectNameSchema,
    spec: DeleteRequestCreateSchema,
    status: DeleteRequestStatusSchema,
  })
  .meta({ id: 'DeleteRequest' });

export type DeleteObjectType = z.infer<typeof DeleteObjectTypeSchema>;
export type DeleteRequestCreate = z.infer<typeof DeleteRequestCreateSchema>;
export type DeleteRequestStatus = z.infer<typeof DeleteRequestStatusSchema>;
export type DeleteRequest = z.infer<typeof DeleteRequestSchema>;

// StorageClass conversion (the backup center's ConvertToSnapshot): a backup's volumes converted
// to StorageClasses of the restore cluster. Accepted by the API; the work is not built yet.

import { z } from 'zod';
import { StorageClassMappingSchema } from './restore.js';
import { ConversionPhaseSchema, taskStatus } from './task.js';
import { NameSchema, ObjectNameSchema } from './values.js';

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
  .meta({ id: 'ConversionCreate' });

export const ConversionProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsConverted: z.number().int().nonnegative() })
  .meta({ id: 'ConversionProgress' });
export const ConversionStatusSchema = taskStatus(ConversionPhaseSchema, ConversionProgressSchema).meta({
  id: 'ConversionStatus',
});
export const ConversionSchema = z
  .object({
    name: ObjectNameSchema.meta({ description: 'The backup name.' }),
    spec: ConversionCreateSchema,
    status: ConversionStatusSchema,
  })
  .meta({ id: 'Conversion' });

export type ConversionCreate = z.infer<typeof ConversionCreateSchema>;
export type ConversionStatus = z.infer<typeof ConversionStatusSchema>;
export type Conversion = z.infer<typeof ConversionSchema>;

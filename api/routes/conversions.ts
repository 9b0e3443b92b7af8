// /v1/conversions: StorageClass conversion of a backup's volumes (the FAQ's ConvertToSnapshot) is
// ConvertWorkflow, which is not built yet: volume data is not backed up yet either. Both routes
// answer 501 `NotBuilt` rather than accept work nothing would do; a bad body still gets its 400,
// so clients can be written against the contract today.

import { notBuilt } from '../problems-extra.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { BackupNameParamsSchema } from '../schemas.js';
import { ConversionCreateSchema, ConversionSchema } from '../../domain/conversion.js';

export const CONVERSIONS_NOT_BUILT =
  'StorageClass conversion (ConvertWorkflow) is not built yet: it needs volume data in backups (AppAndPvBackup), which is not built either';

export function conversionRoutes(): Route[] {
  const tag = 'conversions';
  return [
    route({
      method: 'post',
      path: '/v1/conversions',
      operationId: 'createConversion',
      summary: "Convert a backup's StorageClasses (not built yet: answers 501 NotBuilt)",
      tag,
      role: 'operator',
      request: { body: ConversionCreateSchema },
      responses: {
        202: { description: 'The conversion, started.', schema: ConversionSchema },
        404: PROBLEM,
        409: PROBLEM,
        501: PROBLEM,
      },
      handler: () => {
        throw notBuilt(CONVERSIONS_NOT_BUILT);
      },
    }),
    route({
      method: 'get',
      path: '/v1/conversions/{backupName}',
      operationId: 'getConversion',
      summary: 'Get the conversion of a backup (not built yet: answers 501 NotBuilt)',
      tag,
      role: 'viewer',
      request: { params: BackupNameParamsSchema },
      responses: { 200: { description: 'The conversion.', schema: ConversionSchema }, 404: PROBLEM, 501: PROBLEM },
      handler: () => {
        throw notBuilt(CONVERSIONS_NOT_BUILT);
      },
    }),
  ];
}

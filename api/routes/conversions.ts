// /v1/conversions: StorageClass conversion of a backup's volumes (the FAQ's ConvertToSnapshot) is
// ConvertWorkflow, which is not built yet: volume data is not backed up yet either. Both routes
// answer 501 `NotBuilt` rather than accept work nothing would do; a bad body still gets its 400,
// so clients can be written against the contract today.

import { Router } from 'express';
import { badRequest } from '../problem.js';
import { notBuilt } from '../problems-extra.js';
import { BackupNameParamsSchema } from '../schemas.js';
import { ConversionCreateSchema } from '../../domain/conversion.js';
import { validateParams, missingBody } from '../validate.js';
import { validate } from '../../domain/validation.js';

export const CONVERSIONS_NOT_BUILT =
  'StorageClass conversion (ConvertWorkflow) is not built yet: it needs volume data in backups (AppAndPvBackup), which is not built either';

export function conversionsRouter(): Router {
  const router = Router();

  router.post('/v1/conversions', (req, _res, next) => {
    if (req.body === undefined) {
      next(missingBody());
      return;
    }
    const parsed = validate(ConversionCreateSchema, req.body);
    next(parsed.success ? notBuilt(CONVERSIONS_NOT_BUILT) : badRequest(parsed.errors));
  });

  router.get('/v1/conversions/:backupName', validateParams(BackupNameParamsSchema), (_req, _res, next) => {
    next(notBuilt(CONVERSIONS_NOT_BUILT));
  });

  return router;
}

// /v1/schedules: backup plans, each a Temporal Schedule `plan/<name>` (schedules/backup-plans.ts).
// Creating validates the template like POST /v1/backups (cluster configured, vault known), so a
// plan cannot be made that fails every run for a typo; deleting is a delete request of type
// Schedule (the plan's backups stay).

import { ScheduleAlreadyRunning } from '@temporalio/client';
import { Router } from 'express';
import {
  actOnBackupPlan,
  createBackupPlan,
  describeBackupPlan,
  listBackupPlans,
  type PlanAction,
} from '../../clients/backup-plans.js';
import type { ApiDeps } from '../deps.js';
import { badRequest, conflict, notFound } from '../problem.js';
import { NameParamsSchema } from '../schemas.js';
import { ScheduleCreateSchema, type Schedule, type ScheduleCreate } from '../../domain/backup-plan.js';
import { taskOptionsFromConfig } from '../tasks.js';
import { validateBody, validateParams } from '../validate.js';
import { backupReferenceErrors } from './backups.js';
import { startDeleteRequest } from './delete-requests.js';

export function schedulesRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/v1/schedules', validateBody(ScheduleCreateSchema), async (req, res) => {
    const plan = req.body as ScheduleCreate;
    const errors = await backupReferenceErrors(deps, plan.template, []);
    if (errors.length > 0) throw badRequest(errors.map((e) => ({ ...e, path: `template.${e.path}` })));
    try {
      await createBackupPlan(deps.client, plan, taskOptionsFromConfig(deps.config));
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning)
        throw conflict(`a backup plan named ${JSON.stringify(plan.name)} exists`);
      throw err;
    }
    res
      .status(201)
      .location(`/v1/schedules/${plan.name}`)
      .json((await describeBackupPlan(deps.client, plan.name)) ?? planAsCreated(plan));
  });

  router.get('/v1/schedules', async (_req, res) => {
    res.json({ items: await listBackupPlans(deps.client) });
  });

  router.get('/v1/schedules/:name', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
    const plan = await describeBackupPlan(deps.client, name);
    if (!plan) throw notFound('backup plan', name);
    res.json(plan);
  });

  for (const action of ['pause', 'resume', 'trigger'] as const satisfies readonly PlanAction[]) {
    router.post(`/v1/schedules/:name/${action}`, validateParams(NameParamsSchema), async (_req, res) => {
      const { name } = res.locals.params as { name: string };
      if (!(await actOnBackupPlan(deps.client, name, action))) throw notFound('backup plan', name);
      const plan = await describeBackupPlan(deps.client, name);
      if (!plan) throw notFound('backup plan', name);
      res.json(plan);
    });
  }

  router.delete('/v1/schedules/:name', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
    const request = await startDeleteRequest(deps, { deleteObjectName: name, deleteObjectType: 'Schedule' });
    res.status(202).location(`/v1/delete-requests/${request.name}`).json(request);
  });

  return router;
}

function planAsCreated(plan: ScheduleCreate): Schedule {
  return {
    name: plan.name,
    spec: { schedule: plan.schedule, paused: plan.paused, template: plan.template },
    status: { paused: plan.paused, nextRuns: [], lastBackup: null },
  };
}

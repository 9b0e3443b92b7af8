// /v1/schedules: backup plans, each a Temporal Schedule `plan/<name>` (schedules/backup-plans.ts).
// Creating validates the template like POST /v1/backups (cluster configured, vault known), so a
// plan cannot be made that fails every run for a typo; deleting is a delete request of type
// Schedule (the plan's backups stay).

import { ScheduleAlreadyRunning } from '@temporalio/client';
import {
  actOnBackupPlan,
  createBackupPlan,
  describeBackupPlan,
  listBackupPlans,
  type PlanAction,
} from '../../clients/backup-plans.js';
import type { ApiDeps } from '../deps.js';
import { conflict, notFound } from '../problem.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { NameParamsSchema, ScheduleListSchema } from '../schemas.js';
import { ScheduleCreateSchema, ScheduleSchema, type Schedule, type ScheduleCreate } from '../../domain/backup-plan.js';
import { DeleteRequestSchema } from '../../domain/delete-request.js';
import type { FieldError } from '../../domain/validation.js';
import { taskOptionsFromConfig } from '../tasks.js';
import { backupReferenceErrors } from './backups.js';
import { startDeleteRequest } from './delete-requests.js';

/** The template's references (cluster configured, vault known), as `template.<field>` errors. */
async function templateReferenceErrors(
  deps: ApiDeps,
  raw: unknown,
  schemaErrors: readonly FieldError[],
): Promise<FieldError[]> {
  if (typeof raw !== 'object' || raw === null) return [];
  const prefix = 'template.';
  const templateErrors = schemaErrors
    .filter((e) => e.path.startsWith(prefix))
    .map((e) => ({ ...e, path: e.path.slice(prefix.length) }));
  const errors = await backupReferenceErrors(deps, (raw as { template?: unknown }).template, templateErrors);
  return errors.map((e) => ({ ...e, path: `${prefix}${e.path}` }));
}

const ACTIONS = {
  pause: { summary: 'Pause a backup plan', description: 'The backup plan, paused.' },
  resume: { summary: 'Resume a backup plan', description: 'The backup plan, resumed.' },
  trigger: { summary: 'Start a backup of the plan now', description: 'The backup plan; a backup was started.' },
} as const satisfies Record<PlanAction, { summary: string; description: string }>;

export function scheduleRoutes(deps: ApiDeps): Route[] {
  const tag = 'schedules';
  return [
    route({
      method: 'post',
      path: '/v1/schedules',
      operationId: 'createSchedule',
      summary: 'Create a backup plan',
      tag,
      role: 'operator',
      request: {
        body: ScheduleCreateSchema,
        bodyChecks: (raw, schemaErrors) => templateReferenceErrors(deps, raw, schemaErrors),
      },
      responses: { 201: { description: 'The backup plan.', schema: ScheduleSchema }, 404: PROBLEM, 409: PROBLEM },
      handler: async ({ body: plan, res }) => {
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
      },
    }),
    route({
      method: 'get',
      path: '/v1/schedules',
      operationId: 'listSchedules',
      summary: 'List backup plans',
      tag,
      role: 'viewer',
      responses: { 200: { description: 'The backup plans.', schema: ScheduleListSchema } },
      handler: async ({ res }) => {
        res.json({ items: await listBackupPlans(deps.client) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/schedules/{name}',
      operationId: 'getSchedule',
      summary: 'Get a backup plan',
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: { 200: { description: 'The backup plan.', schema: ScheduleSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const plan = await describeBackupPlan(deps.client, name);
        if (!plan) throw notFound('backup plan', name);
        res.json(plan);
      },
    }),
    ...(Object.keys(ACTIONS) as PlanAction[]).map((action) =>
      route({
        method: 'post',
        path: `/v1/schedules/{name}/${action}`,
        operationId: `${action}Schedule`,
        summary: ACTIONS[action].summary,
        tag,
        role: 'operator',
        request: { params: NameParamsSchema },
        responses: { 200: { description: ACTIONS[action].description, schema: ScheduleSchema }, 404: PROBLEM },
        handler: async ({ params: { name }, res }) => {
          if (!(await actOnBackupPlan(deps.client, name, action))) throw notFound('backup plan', name);
          const plan = await describeBackupPlan(deps.client, name);
          if (!plan) throw notFound('backup plan', name);
          res.json(plan);
        },
      }),
    ),
    // The same as POST /v1/delete-requests {deleteObjectName: name, deleteObjectType: "Schedule"}.
    route({
      method: 'delete',
      path: '/v1/schedules/{name}',
      operationId: 'deleteSchedule',
      summary: 'Delete a backup plan',
      tag,
      role: 'operator',
      request: { params: NameParamsSchema },
      responses: {
        202: { description: 'The delete request.', schema: DeleteRequestSchema },
        404: PROBLEM,
        409: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const request = await startDeleteRequest(deps, { deleteObjectName: name, deleteObjectType: 'Schedule' });
        res.status(202).location(`/v1/delete-requests/${request.name}`).json(request);
      },
    }),
  ];
}

function planAsCreated(plan: ScheduleCreate): Schedule {
  return {
    name: plan.name,
    spec: { schedule: plan.schedule, paused: plan.paused, template: plan.template },
    status: { paused: plan.paused, nextRuns: [], lastBackup: null },
  };
}

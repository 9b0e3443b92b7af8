// The route table of the REST contract (/work/shared/API.md) and the OpenAPI 3.1 document built
// from it and from the schemas of api/schemas.ts, so the document cannot drift from what the
// API validates. The server wiring can iterate `apiRoutes` for paths, roles and body schemas.

import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Role } from '../domain/roles.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import {
  BackupListQuerySchema,
  BackupListSchema,
  BackupNameParamsSchema,
  BackupResourceListSchema,
  ClusterListSchema,
  HealthSchema,
  NameParamsSchema,
  ObjectNameParamsSchema,
  ProblemSchema,
  RestoreItemListSchema,
  ScheduleListSchema,
  VaultListSchema,
} from './schemas.js';
import { FieldErrorSchema } from '../domain/validation.js';
import { BackupCreateSchema, BackupSchema } from '../domain/backup.js';
import { ClusterSchema } from '../domain/cluster.js';
import { ConversionCreateSchema, ConversionSchema } from '../domain/conversion.js';
import { DeleteRequestCreateSchema, DeleteRequestSchema } from '../domain/delete-request.js';
import { RestoreCreateSchema, RestoreSchema } from '../domain/restore.js';
import { ScheduleCreateSchema, ScheduleSchema } from '../domain/backup-plan.js';
import { VaultCreateSchema, VaultSchema } from '../domain/vault.js';

export type HttpMethod = 'get' | 'post' | 'delete';

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. `/v1/backups/{name}`; see {@link expressPath}. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Role needed; `null` for the open endpoints. */
  role: Role | null;
  body?: z.ZodType;
  params?: z.ZodObject;
  query?: z.ZodObject;
  success: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /** Problem statuses besides 401/403/500, which every secured route has. */
  problems: Array<400 | 404 | 409 | 501 | 503>;
}

const JSON_TYPE = 'application/json';
const TEXT_TYPE = 'text/plain';

/** Every row of API.md, plus the open endpoints. */
export const apiRoutes: readonly ApiRoute[] = [
  // Vaults
  {
    method: 'post',
    path: '/v1/vaults',
    operationId: 'createVault',
    summary: 'Create a backup vault',
    tag: 'vaults',
    role: 'admin',
    body: VaultCreateSchema,
    success: { status: 201, description: 'The vault; validation starts.', schema: VaultSchema },
    problems: [400, 409],
  },
  {
    method: 'get',
    path: '/v1/vaults',
    operationId: 'listVaults',
    summary: 'List backup vaults',
    tag: 'vaults',
    role: 'viewer',
    success: { status: 200, description: 'The vaults.', schema: VaultListSchema },
    problems: [],
  },
  {
    method: 'get',
    path: '/v1/vaults/{name}',
    operationId: 'getVault',
    summary: 'Get a backup vault',
    tag: 'vaults',
    role: 'viewer',
    params: NameParamsSchema,
    success: { status: 200, description: 'The vault.', schema: VaultSchema },
    problems: [404],
  },
  {
    method: 'delete',
    path: '/v1/vaults/{name}',
    operationId: 'deleteVault',
    summary: 'Delete a backup vault (its name is never reused)',
    tag: 'vaults',
    role: 'admin',
    params: NameParamsSchema,
    success: { status: 202, description: 'Deletion accepted.', schema: VaultSchema },
    problems: [404],
  },
  // Clusters
  {
    method: 'get',
    path: '/v1/clusters',
    operationId: 'listClusters',
    summary: 'List clusters',
    tag: 'clusters',
    role: 'viewer',
    success: { status: 200, description: 'The clusters.', schema: ClusterListSchema },
    problems: [],
  },
  {
    method: 'get',
    path: '/v1/clusters/{name}',
    operationId: 'getCluster',
    summary: 'Get a cluster',
    tag: 'clusters',
    role: 'viewer',
    params: NameParamsSchema,
    success: { status: 200, description: 'The cluster.', schema: ClusterSchema },
    problems: [404],
  },
  // Backups
  {
    method: 'post',
    path: '/v1/backups',
    operationId: 'createBackup',
    summary: 'Start a backup',
    tag: 'backups',
    role: 'operator',
    body: BackupCreateSchema,
    success: { status: 202, description: 'The backup, started.', schema: BackupSchema },
    problems: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/backups',
    operationId: 'listBackups',
    summary: 'List completed backups from the vaults plus running ones',
    tag: 'backups',
    role: 'viewer',
    query: BackupListQuerySchema,
    success: { status: 200, description: 'The backups.', schema: BackupListSchema },
    problems: [400],
  },
  {
    method: 'get',
    path: '/v1/backups/{name}',
    operationId: 'getBackup',
    summary: 'Get a backup',
    tag: 'backups',
    role: 'viewer',
    params: ObjectNameParamsSchema,
    success: { status: 200, description: 'The backup.', schema: BackupSchema },
    problems: [404],
  },
  {
    method: 'get',
    path: '/v1/backups/{name}/resources',
    operationId: 'listBackupResources',
    summary: 'List every item of a backup',
    tag: 'backups',
    role: 'viewer',
    params: ObjectNameParamsSchema,
    success: { status: 200, description: 'The items.', schema: BackupResourceListSchema },
    problems: [404],
  },
  {
    method: 'get',
    path: '/v1/backups/{name}/logs',
    operationId: 'getBackupLogs',
    summary: 'Get the log of a backup',
    tag: 'backups',
    role: 'viewer',
    params: ObjectNameParamsSchema,
    success: { status: 200, description: 'The log.', schema: z.string(), contentType: TEXT_TYPE },
    problems: [404],
  },
  {
    method: 'delete',
    path: '/v1/backups/{name}',
    operationId: 'deleteBackup',
    summary: 'Delete a backup',
    tag: 'backups',
    role: 'operator',
    params: ObjectNameParamsSchema,
    success: { status: 202, description: 'The delete request.', schema: DeleteRequestSchema },
    problems: [404, 409],
  },
  // Restores
  {
    method: 'post',
    path: '/v1/restores',
    operationId: 'createRestore',
    summary: 'Start a restore',
    tag: 'restores',
    role: 'operator',
    body: RestoreCreateSchema,
    success: { status: 202, description: 'The restore, started.', schema: RestoreSchema },
    problems: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/restores/{name}',
    operationId: 'getRestore',
    summary: 'Get a restore',
    tag: 'restores',
    role: 'viewer',
    params: NameParamsSchema,
    success: { status: 200, description: 'The restore.', schema: RestoreSchema },
    problems: [404],
  },
  {
    method: 'get',
    path: '/v1/restores/{name}/items',
    operationId: 'listRestoreItems',
    summary: 'List every item of a restore with its outcome',
    tag: 'restores',
    role: 'viewer',
    params: NameParamsSchema,
    success: { status: 200, description: 'The items.', schema: RestoreItemListSchema },
    problems: [404],
  },
  // Conversions
  {
    method: 'post',
    path: '/v1/conversions',
    operationId: 'createConversion',
    summary: "Convert a backup's StorageClasses (not built yet: answers 501 NotBuilt)",
    tag: 'conversions',
    role: 'operator',
    body: ConversionCreateSchema,
    success: { status: 202, description: 'The conversion, started.', schema: ConversionSchema },
    problems: [400, 404, 409, 501],
  },
  {
    method: 'get',
    path: '/v1/conversions/{backupName}',
    operationId: 'getConversion',
    summary: 'Get the conversion of a backup (not built yet: answers 501 NotBuilt)',
    tag: 'conversions',
    role: 'viewer',
    params: BackupNameParamsSchema,
    success: { status: 200, description: 'The conversion.', schema: ConversionSchema },
    problems: [404, 501],
  },
  // Schedules (backup plans)
  {
    method: 'post',
    path: '/v1/schedules',
    operationId: 'createSchedule',
    summary: 'Create a backup plan',
    tag: 'schedules',
    role: 'operator',
    body: ScheduleCreateSchema,
    success: { status: 201, description: 'The backup plan.', schema: ScheduleSchema },
    problems: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/schedules',
    operationId: 'listSchedules',
    summary: 'List backup plans',
    tag: 'schedules',
    role: 'viewer',
    success: { status: 200, description: 'The backup plans.', schema: ScheduleListSchema },
    problems: [],
  },
  {
    method: 'get',
    path: '/v1/schedules/{name}',
    operationId: 'getSchedule',
    summary: 'Get a backup plan',
    tag: 'schedules',
    role: 'viewer',
    params: NameParamsSchema,
    success: { status: 200, description: 'The backup plan.', schema: ScheduleSchema },
    problems: [404],
  },
  {
    method: 'post',
    path: '/v1/schedules/{name}/pause',
    operationId: 'pauseSchedule',
    summary: 'Pause a backup plan',
    tag: 'schedules',
    role: 'operator',
    params: NameParamsSchema,
    success: { status: 200, description: 'The backup plan, paused.', schema: ScheduleSchema },
    problems: [404],
  },
  {
    method: 'post',
    path: '/v1/schedules/{name}/resume',
    operationId: 'resumeSchedule',
    summary: 'Resume a backup plan',
    tag: 'schedules',
    role: 'operator',
    params: NameParamsSchema,
    success: { status: 200, description: 'The backup plan, resumed.', schema: ScheduleSchema },
    problems: [404],
  },
  {
    method: 'post',
    path: '/v1/schedules/{name}/trigger',
    operationId: 'triggerSchedule',
    summary: 'Start a backup of the plan now',
    tag: 'schedules',
    role: 'operator',
    params: NameParamsSchema,
    success: { status: 200, description: 'The backup plan; a backup was started.', schema: ScheduleSchema },
    problems: [404],
  },
  {
    method: 'delete',
    path: '/v1/schedules/{name}',
    operationId: 'deleteSchedule',
    summary: 'Delete a backup plan',
    tag: 'schedules',
    role: 'operator',
    params: NameParamsSchema,
    success: { status: 202, description: 'The delete request.', schema: DeleteRequestSchema },
    problems: [404, 409],
  },
  // Delete requests
  {
    method: 'post',
    path: '/v1/delete-requests',
    operationId: 'createDeleteRequest',
    summary: 'Delete a backup, restore, conversion or backup plan',
    tag: 'delete-requests',
    role: 'operator',
    body: DeleteRequestCreateSchema,
    success: { status: 202, description: 'The delete request, started.', schema: DeleteRequestSchema },
    problems: [400, 404, 409],
  },
  {
    method: 'get',
    path: '/v1/delete-requests/{name}',
    operationId: 'getDeleteRequest',
    summary: 'Get a delete request',
    tag: 'delete-requests',
    role: 'viewer',
    params: ObjectNameParamsSchema,
    success: { status: 200, description: 'The delete request.', schema: DeleteRequestSchema },
    problems: [404],
  },
  // Open endpoints
  {
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    summary: 'Liveness',
    tag: 'operations',
    role: null,
    success: { status: 200, description: 'The process is alive.', schema: HealthSchema },
    problems: [],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    summary: 'Readiness: the Temporal server answers',
    tag: 'operations',
    role: null,
    success: { status: 200, description: 'Ready.', schema: HealthSchema },
    problems: [503],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI 3.1 document',
    tag: 'operations',
    role: null,
    success: { status: 200, description: 'The document.', schema: z.record(z.string(), z.unknown()) },
    problems: [],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    role: null,
    success: {
      status: 200,
      description: 'Metrics in the Prometheus text format.',
      schema: z.string(),
      contentType: TEXT_TYPE,
    },
    problems: [],
  },
];

/** `/v1/backups/{name}` → `/v1/backups/:name`. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

/** A 400 always lists the invalid fields. */
export const ValidationProblemSchema = z
  .object({ ...ProblemSchema.shape, errors: z.array(FieldErrorSchema) })
  .openapi('ValidationProblem');

const PROBLEM_RESPONSES = {
  BadRequest: {
    status: 400,
    description: 'Bad input: every invalid field is listed in `errors`; nothing was started.',
    schema: 'ValidationProblem',
  },
  Unauthorized: { status: 401, description: 'No or an invalid bearer token.', schema: 'Problem' },
  Forbidden: { status: 403, description: "The token's role does not allow this operation.", schema: 'Problem' },
  NotFound: { status: 404, description: 'No such name.', schema: 'Problem' },
  Conflict: { status: 409, description: 'The name is already used. Change the name and try again.', schema: 'Problem' },
  ServiceUnavailable: { status: 503, description: 'A dependency (Temporal) does not answer.', schema: 'Problem' },
  InternalError: { status: 500, description: 'internal error (details are in the server log).', schema: 'Problem' },
  NotImplemented: { status: 501, description: 'A feature that is not built yet (code NotBuilt).', schema: 'Problem' },
} as const;
type ProblemResponseName = keyof typeof PROBLEM_RESPONSES;

const PROBLEM_BY_STATUS: Readonly<Record<number, ProblemResponseName>> = Object.fromEntries(
  Object.entries(PROBLEM_RESPONSES).map(([name, r]) => [r.status, name as ProblemResponseName]),
);

export const BEARER_SCHEME = 'bearerAuth';

function routeConfig(route: ApiRoute): RouteConfig {
  const ref = (status: number) => ({ $ref: `#/components/responses/${PROBLEM_BY_STATUS[status]}` });
  const responses: RouteConfig['responses'] = {
    [String(route.success.status)]: {
      description: route.success.description,
      ...(route.success.schema
        ? { content: { [route.success.contentType ?? JSON_TYPE]: { schema: route.success.schema } } }
        : {}),
    },
  };
  const statuses = new Set<number>(route.problems);
  if (route.body || route.query || route.params) statuses.add(400);
  if (route.role !== null) {
    statuses.add(401);
    statuses.add(403);
  }
  statuses.add(500);
  for (const status of [...statuses].sort()) responses[String(status)] = ref(status);

  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.role === null ? { security: [] } : { 'x-required-role': route.role }),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body ? { body: { required: true, content: { [JSON_TYPE]: { schema: route.body } } } } : {}),
    },
    responses,
  };
}

/** A registry holding every route and component of the API. */
export function buildRegistry(): OpenAPIRegistry {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'A token from the configuration (`tokens`, stored as SHA-256); its role is viewer, operator or admin.',
  });
  registry.register('Problem', ProblemSchema);
  registry.register('ValidationProblem', ValidationProblemSchema);
  for (const [name, r] of Object.entries(PROBLEM_RESPONSES)) {
    registry.registerComponent('responses', name, {
      description: r.description,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${r.schema}` } } },
    });
  }
  for (const route of apiRoutes) registry.registerPath(routeConfig(route));
  return registry;
}

export interface OpenApiOptions {
  version?: string;
  /** Base URL of the API for the `servers` list. */
  serverUrl?: string;
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The OpenAPI 3.1 document served at `/openapi.json`. */
export function buildOpenApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const generator = new OpenApiGeneratorV31(buildRegistry().definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Backup Center API',
      version: options.version ?? '1.0.0',
      description:
        'Kubernetes application backup center whose tasks are Temporal workflows. Errors are RFC 9457 problem details (application/problem+json) with a stable `code`.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ [BEARER_SCHEME]: [] }],
  });
}

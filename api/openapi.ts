// The OpenAPI 3.1 document of the route table (api/route-table.ts): the rows the server mounts are
// the operations documented, with the very zod schemas used for validation (api/schemas.ts for the
// HTTP envelopes, domain/ for the resources), so the document cannot drift from what is served.

import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { documentedStatuses, PROBLEM, type Route } from './route-table.js';
import { ProblemSchema } from './schemas.js';
import { FieldErrorSchema } from '../domain/validation.js';

const JSON_TYPE = 'application/json';

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
  ContentTooLarge: { status: 413, description: 'The JSON body is larger than the API accepts.', schema: 'Problem' },
  UnsupportedMediaType: { status: 415, description: 'The body is not application/json.', schema: 'Problem' },
  ServiceUnavailable: { status: 503, description: 'A dependency (Temporal) does not answer.', schema: 'Problem' },
  InternalError: { status: 500, description: 'internal error (details are in the server log).', schema: 'Problem' },
  NotImplemented: { status: 501, description: 'A feature that is not built yet (code NotBuilt).', schema: 'Problem' },
} as const;
type ProblemResponseName = keyof typeof PROBLEM_RESPONSES;

const PROBLEM_BY_STATUS: Readonly<Record<number, ProblemResponseName>> = Object.fromEntries(
  Object.entries(PROBLEM_RESPONSES).map(([name, r]) => [r.status, name as ProblemResponseName]),
);

export const BEARER_SCHEME = 'bearerAuth';

function routeConfig(route: Route): RouteConfig {
  const ref = (status: number) => {
    const name = PROBLEM_BY_STATUS[status];
    if (name === undefined) throw new Error(`${route.operationId}: no problem response for status ${status}`);
    return { $ref: `#/components/responses/${name}` };
  };
  const responses: RouteConfig['responses'] = {};
  for (const status of documentedStatuses(route)) {
    const entry = route.responses[status];
    if (entry === undefined || entry === PROBLEM) {
      responses[String(status)] = ref(status);
    } else {
      responses[String(status)] = {
        description: entry.description,
        ...(entry.schema ? { content: { [entry.contentType ?? JSON_TYPE]: { schema: entry.schema } } } : {}),
      };
    }
  }
  const request = route.request ?? {};
  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.role === 'open' ? { security: [] } : { 'x-required-role': route.role }),
    request: {
      ...(request.params ? { params: request.params } : {}),
      ...(request.query ? { query: request.query } : {}),
      ...(request.body ? { body: { required: true, content: { [JSON_TYPE]: { schema: request.body } } } } : {}),
    },
    responses,
  };
}

/** A registry holding every row of the route table and the components of the API. */
export function buildRegistry(routes: readonly Route[]): OpenAPIRegistry {
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
  for (const route of routes) registry.registerPath(routeConfig(route));
  return registry;
}

export interface OpenApiOptions {
  version?: string;
  /** Base URL of the API for the `servers` list. */
  serverUrl?: string;
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** The OpenAPI 3.1 document of `routes`, served at `/openapi.json`. */
export function buildOpenApiDocument(routes: readonly Route[], options: OpenApiOptions = {}): OpenApiDocument {
  const generator = new OpenApiGeneratorV31(buildRegistry(routes).definitions);
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

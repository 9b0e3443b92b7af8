import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, buildRegistry } from './openapi.js';
import { expressPath } from './route-table.js';
import { inertRouteTable } from './testing/table.js';
import { BackupCreateSchema } from '../domain/backup.js';
import { ConversionCreateSchema } from '../domain/conversion.js';
import { DeleteRequestCreateSchema } from '../domain/delete-request.js';
import { RestoreCreateSchema } from '../domain/restore.js';
import { ScheduleCreateSchema } from '../domain/backup-plan.js';
import { VaultCreateSchema } from '../domain/vault.js';

/** Every `method path` of the contract's table, as API.md lists it. */
const CONTRACT: readonly string[] = [
  'post /v1/vaults',
  'get /v1/vaults',
  'get /v1/vaults/{name}',
  'delete /v1/vaults/{name}',
  'get /v1/clusters',
  'get /v1/clusters/{name}',
  'post /v1/backups',
  'get /v1/backups',
  'get /v1/backups/{name}',
  'get /v1/backups/{name}/resources',
  'get /v1/backups/{name}/logs',
  'delete /v1/backups/{name}',
  'post /v1/backups/{name}/cancel',
  'post /v1/restores',
  'get /v1/restores/{name}',
  'get /v1/restores/{name}/items',
  'get /v1/restores/{name}/logs',
  'post /v1/restores/{name}/cancel',
  'post /v1/conversions',
  'get /v1/conversions/{backupName}',
  'post /v1/schedules',
  'get /v1/schedules',
  'get /v1/schedules/{name}',
  'post /v1/schedules/{name}/pause',
  'post /v1/schedules/{name}/resume',
  'post /v1/schedules/{name}/trigger',
  'delete /v1/schedules/{name}',
  'post /v1/delete-requests',
  'get /v1/delete-requests/{name}',
];

/** Reads the rows of API.md's table: `| METHOD | /a, /b/{x}, /suffix | …`. */
function parseApiMd(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*([^|]+)\|/.exec(line);
    if (!m) continue;
    const method = (m[1] ?? '').toLowerCase();
    let previous = '';
    for (const raw of (m[2] ?? '').split(',')) {
      const part = raw.trim();
      // `/v1/schedules/{name}/pause, /resume` — a bare segment replaces the previous last one.
      const path = part.startsWith('/v1/') ? part : previous.replace(/\/[^/]+$/, part);
      out.push(`${method} ${path}`);
      previous = path;
    }
  }
  return out;
}

const CONTRACT_FILE = new URL('../docs/api.md', import.meta.url);
const [SERVED_ROWS = '', NOT_BUILT_ROWS = ''] = readFileSync(CONTRACT_FILE, 'utf8').split('\n## Not built yet');

const apiRoutes = inertRouteTable().routes;

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument(apiRoutes, { version: '9.9.9', serverUrl: 'http://localhost:8080' });
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in (item as object)).map((m) => `${m} ${path}`),
  );

  it('is OpenAPI 3.1 with bearer security', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9');
    expect(doc.servers).toEqual([{ url: 'http://localhost:8080' }]);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components?.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has every path and method of the contract', () => {
    for (const op of CONTRACT) expect(operations).toContain(op);
  });

  it('serves and documents every row of docs/api.md, and documents nothing else', () => {
    const built = parseApiMd(SERVED_ROWS);
    const notBuilt = parseApiMd(NOT_BUILT_ROWS);
    expect(built.length).toBeGreaterThanOrEqual(CONTRACT.length);
    expect([...built].sort()).toEqual([...CONTRACT].sort());
    expect(notBuilt.length).toBeGreaterThan(0);
    const v1 = operations.filter((op) => op.includes(' /v1/')).sort();
    expect(v1).toEqual([...built, ...notBuilt].sort());
  });

  it('documents the rows listed as not built as answering 501 NotBuilt, and says so in their summary', () => {
    for (const op of parseApiMd(NOT_BUILT_ROWS)) {
      const [method = '', path = ''] = op.split(' ');
      const operation = (doc.paths?.[path] as Record<string, { summary?: string; responses?: object }>)[method];
      expect(Object.keys(operation?.responses ?? {}), op).toContain('501');
      expect(operation?.summary, op).toMatch(/not built/);
    }
  });

  it('parses the suffix form of API.md rows', () => {
    expect(parseApiMd('| POST | /v1/schedules/{name}/pause, /resume, /trigger | | 200 |')).toEqual([
      'post /v1/schedules/{name}/pause',
      'post /v1/schedules/{name}/resume',
      'post /v1/schedules/{name}/trigger',
    ]);
  });

  it('documents the open endpoints without security', () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/metrics']) {
      expect(doc.paths?.[path]?.get?.security).toEqual([]);
    }
  });

  it('request bodies reference the very schemas used for validation', () => {
    const expected = new Map<string, unknown>([
      ['post /v1/vaults', VaultCreateSchema],
      ['post /v1/backups', BackupCreateSchema],
      ['post /v1/restores', RestoreCreateSchema],
      ['post /v1/conversions', ConversionCreateSchema],
      ['post /v1/schedules', ScheduleCreateSchema],
      ['post /v1/delete-requests', DeleteRequestCreateSchema],
    ]);
    for (const [op, schema] of expected) {
      const route = apiRoutes.find((r) => `${r.method} ${r.path}` === op);
      expect(route?.request?.body, op).toBe(schema);
      const [method, path] = op.split(' ') as ['post', string];
      const name = (
        {
          '/v1/vaults': 'VaultCreate',
          '/v1/backups': 'BackupCreate',
          '/v1/restores': 'RestoreCreate',
          '/v1/conversions': 'ConversionCreate',
          '/v1/schedules': 'ScheduleCreate',
          '/v1/delete-requests': 'DeleteRequestCreate',
        } as Record<string, string>
      )[path];
      expect(doc.paths?.[path]?.[method]?.requestBody).toEqual({
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } },
      });
    }
    // and the registry's definition of each component is that same object
    const registered = buildRegistry(apiRoutes).definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []));
    for (const [op, schema] of expected) {
      const route = registered.find((r) => `${r.method} ${r.path}` === op);
      expect(route?.request?.body?.content['application/json']).toMatchObject({ schema });
    }
  });

  it('no other operation takes a body', () => {
    const withBody = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, { requestBody?: unknown }>)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([m]) => `${m} ${path}`),
    );
    expect(withBody.sort()).toEqual(
      [
        'post /v1/vaults',
        'post /v1/backups',
        'post /v1/restores',
        'post /v1/conversions',
        'post /v1/schedules',
        'post /v1/delete-requests',
      ].sort(),
    );
  });

  it('answers errors as problem+json: 400 with errors, 401, 403, 404, 409, 413, 415, 503', () => {
    const responses = doc.components?.responses ?? {};
    for (const name of [
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'NotFound',
      'Conflict',
      'ContentTooLarge',
      'UnsupportedMediaType',
      'ServiceUnavailable',
      'InternalError',
    ]) {
      expect(responses[name], name).toMatchObject({
        content: { 'application/problem+json': { schema: { $ref: expect.any(String) } } },
      });
    }
    const validation = doc.components?.schemas?.ValidationProblem as {
      required?: string[];
      properties?: Record<string, unknown>;
    };
    expect(validation.required).toContain('errors');
    const create = doc.paths?.['/v1/backups']?.post?.responses as Record<string, unknown>;
    expect(Object.keys(create).sort()).toEqual(['202', '400', '401', '403', '404', '409', '413', '415', '500', '503']);
    expect(create['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(create['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    const get = doc.paths?.['/v1/backups/{name}']?.get?.responses as Record<string, unknown>;
    expect(get['404']).toEqual({ $ref: '#/components/responses/NotFound' });
  });

  it('documents the task resources and status shapes', () => {
    const schemas = doc.components?.schemas ?? {};
    const props = (name: string) => Object.keys((schemas[name] as { properties?: object }).properties ?? {});
    for (const s of ['BackupStatus', 'RestoreStatus', 'ConversionStatus', 'DeleteRequestStatus']) {
      expect(props(s)).toEqual(
        expect.arrayContaining([
          'phase',
          'startTimestamp',
          'completionTimestamp',
          'errors',
          'warnings',
          'failureReason',
          'progress',
          'links',
        ]),
      );
    }
    expect(props('BackupProgress')).toEqual(['totalItems', 'itemsBackedUp']);
    expect(props('RestoreProgress')).toEqual(['totalItems', 'itemsRestored']);
    expect(props('VaultStatus')).toEqual(['phase', 'lastValidated', 'message', 'protection']);
    expect(props('ClusterStatus')).toEqual(['agentConnected', 'kubernetesVersion', 'nodes', 'zones']);
    expect(props('ScheduleStatus')).toEqual(['paused', 'nextRuns', 'lastBackup']);
    expect(props('RestoreItem')).toEqual([
      'group',
      'version',
      'resource',
      'namespace',
      'name',
      'outcome',
      'code',
      'reason',
    ]);
    expect(JSON.stringify(schemas.ConversionPhase)).toContain('ConvertFailed');
  });

  it('serves logs and metrics as text', () => {
    for (const path of ['/v1/backups/{name}/logs', '/v1/restores/{name}/logs'])
      expect(doc.paths?.[path]?.get?.responses?.['200'], path).toMatchObject({ content: { 'text/plain': {} } });
    expect(doc.paths?.['/metrics']?.get?.responses?.['200']).toMatchObject({ content: { 'text/plain': {} } });
  });

  it('has unique operation ids and is JSON-serializable', () => {
    const ids = apiRoutes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('expressPath', () => {
    expect(expressPath('/v1/conversions/{backupName}')).toBe('/v1/conversions/:backupName');
    expect(expressPath('/v1/schedules/{name}/pause')).toBe('/v1/schedules/:name/pause');
  });
});

// Routes of the contract (docs/api.md, "Not built yet") whose work is not built. They are served
// and documented so a client learns that from the API itself: each answers 501 `NotBuilt` saying
// what is missing, after the usual authentication and validation.

import { notBuilt } from '../problems-extra.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { NameParamsSchema, ObjectNameParamsSchema } from '../schemas.js';

const VOLUMES = 'volume data is not built yet: backups hold resources only, so there are no volumes to list';

export function notBuiltRoutes(): Route[] {
  const row = (method: 'get' | 'post', path: string, operationId: string, summary: string, detail: string) =>
    route({
      method,
      path,
      operationId,
      summary: `${summary} (not built yet: answers 501 NotBuilt)`,
      tag: path.startsWith('/v1/backups') ? 'backups' : 'restores',
      role: method === 'post' ? 'operator' : 'viewer',
      request: { params: path.startsWith('/v1/backups') ? ObjectNameParamsSchema : NameParamsSchema },
      responses: { 501: PROBLEM },
      handler: () => {
        throw notBuilt(detail);
      },
    });
  return [row('get', '/v1/backups/{name}/volumes', 'listBackupVolumes', "List a backup's volumes", VOLUMES)];
}

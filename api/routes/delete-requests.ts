// /v1/delete-requests: the backup center's DeleteRequest, a DeleteWorkflow `delete/<type>/<name>`.
//
// Naming: a delete request is named `<type>-<object>`, the type lowercased (`backup-nginx-1`,
// `restore-nginx-1`, `schedule-nightly`). The FAQ's `<object>-dbr` cannot tell a backup from a
// restore or plan of the same name (they are separate name spaces), so the type is part of the
// name; read from the left, the first segment is always the type, so the name is unambiguous. A
// name that would pass 253 characters keeps the object's first characters and ends with a hash of
// the whole name (domain/delete-request.ts); the workflow id uses the same shortened part.
// One request per object runs at a time: a second one while it runs is 409; once it has
// finished, a new request for the same object may start (it completes at once if the object is
// gone) and the name then shows the newest.
//
// DELETE /v1/backups/{name} and DELETE /v1/schedules/{name} are delete requests too
// (startDeleteRequest). Conversions are not built: a Convert request is 501 NotBuilt.

import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
} from '@temporalio/client';
import { BackupNameKey, TaskTypeKey } from '../../temporal/search-attributes.js';
import { describeBackupPlan } from '../../clients/backup-plans.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { deleteWorkflowId, WorkflowType } from '../../temporal/workflow-ids.js';
import type { DeleteInput } from '../../temporal/workflow-inputs.js';
import {
  type DeleteRequestCreate as DeleteRequestSpec,
  deleteRequestName,
  parseDeleteRequestName,
  DeleteRequestCreateSchema,
  DeleteRequestSchema,
  type DeleteObjectType,
  type DeleteRequest,
  type DeleteRequestCreate,
} from '../../domain/delete-request.js';
import { findBackup, openStore } from '../backup-view.js';
import type { ApiDeps } from '../deps.js';
import { conflict, notFound } from '../problem.js';
import { notBuilt } from '../problems-extra.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { ObjectNameParamsSchema } from '../schemas.js';
import { readTask, temporalUiLink, toDeleteRequestStatus } from '../tasks.js';
import { findBackupTask, listedUncommitted } from './backups.js';

export const CONVERT_DELETE_NOT_BUILT =
  'StorageClass conversion is not built yet, so there is no conversion to reset (deleteObjectType "Convert")';

export { deleteRequestName, parseDeleteRequestName };

/**
 * Starts a delete request: 202's resource, or an HttpProblem: 404 when there is nothing of that
 * name, 409 when a delete request for it runs (or the backup or restore itself still runs), 501 for
 * conversions.
 */
export async function startDeleteRequest(deps: ApiDeps, request: DeleteRequestCreate): Promise<DeleteRequest> {
  const { deleteObjectName: object, deleteObjectType: type } = request;
  const notCommitted = await checkDeletable(deps, type, object);
  const spec: DeleteRequestSpec = {
    deleteObjectName: object,
    deleteObjectType: type,
    ...(request.cluster === undefined ? {} : { cluster: request.cluster }),
  };
  const workflowId = deleteWorkflowId(type, object);
  const input: DeleteInput = { spec, ...(notCommitted ? { notCommitted } : {}) };
  let runId: string;
  try {
    const handle = await deps.client.workflow.start(WorkflowType.Delete, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId,
      // A finished request may be repeated; a running one may not.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      args: [input],
      memo: { spec },
      typedSearchAttributes: [
        { key: TaskTypeKey, value: 'Delete' },
        ...(type === 'Backup' ? [{ key: BackupNameKey, value: object }] : []),
      ],
    });
    runId = handle.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw conflict(
        `delete request ${JSON.stringify(deleteRequestName(type, object))} for ${type.toLowerCase()} ${JSON.stringify(object)} is still running`,
      );
    }
    throw err;
  }
  return {
    name: deleteRequestName(type, object),
    spec,
    status: {
      phase: 'InProgress',
      startTimestamp: new Date().toISOString(),
      completionTimestamp: null,
      errors: [],
      warnings: [],
      failureReason: null,
      progress: { totalItems: 0, itemsDeleted: 0 },
      links: { temporalUi: temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, workflowId, runId) },
    },
  };
}

/** The delete request of that name, or undefined (404). */
export async function getDeleteRequest(deps: ApiDeps, name: string): Promise<DeleteRequest | undefined> {
  const parsed = parseDeleteRequestName(name);
  if (!parsed) return undefined;
  const snap = await readTask(deps, deleteWorkflowId(parsed.type, parsed.object));
  if (!snap) return undefined;
  const spec = (snap.spec as DeleteRequestSpec | undefined) ?? {
    deleteObjectName: parsed.object,
    deleteObjectType: parsed.type,
  };
  return {
    name,
    spec,
    status: toDeleteRequestStatus(
      snap.status,
      temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, snap.workflowId, snap.runId),
    ),
  };
}

export function deleteRequestRoutes(deps: ApiDeps): Route[] {
  const tag = 'delete-requests';
  return [
    route({
      method: 'post',
      path: '/v1/delete-requests',
      operationId: 'createDeleteRequest',
      summary: 'Delete a backup, restore, conversion or backup plan',
      tag,
      role: 'operator',
      request: { body: DeleteRequestCreateSchema },
      responses: {
        202: { description: 'The delete request, started.', schema: DeleteRequestSchema },
        404: PROBLEM,
        409: PROBLEM,
        501: PROBLEM,
      },
      handler: async ({ body, res }) => {
        const created = await startDeleteRequest(deps, body);
        res.status(202).location(`/v1/delete-requests/${created.name}`).json(created);
      },
    }),
    route({
      method: 'get',
      path: '/v1/delete-requests/{name}',
      operationId: 'getDeleteRequest',
      summary: 'Get a delete request',
      tag,
      role: 'viewer',
      request: { params: ObjectNameParamsSchema },
      responses: { 200: { description: 'The delete request.', schema: DeleteRequestSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const found = await getDeleteRequest(deps, name);
        if (!found) {
          throw parseDeleteRequestName(name)
            ? notFound('delete request', name)
            : notFound(`delete request ${JSON.stringify(name)} (names are <type>-<object>, e.g. backup-nginx-1)`);
        }
        res.json(found);
      },
    }),
  ];
}

/**
 * 404, 409 or 501 before anything starts. A backup that failed or was cancelled (in no vault, listed
 * from its task's record) is deletable too: the answer names its vault for the request.
 */
async function checkDeletable(
  deps: ApiDeps,
  type: DeleteObjectType,
  object: string,
): Promise<DeleteInput['notCommitted'] | undefined> {
  switch (type) {
    case 'Convert':
      throw notBuilt(CONVERT_DELETE_NOT_BUILT);
    case 'Schedule':
      if (!(await describeBackupPlan(deps.client, object))) throw notFound('backup plan', object);
      return;
    case 'Backup': {
      const task = await findBackupTask(deps, object);
      if (task?.executionStatus === 'RUNNING')
        throw conflict(`backup ${JSON.stringify(object)} is in progress; delete it once it has finished`);
      // Failed or cancelled, and in no vault that answers: only its own vault is looked at again,
      // so an unrelated vault that cannot be read does not stand in the way.
      const vault = task?.spec?.vault;
      const committed = task?.status.phase === 'Completed' || task?.status.phase === 'PartiallyFailed';
      if (task && !committed && typeof vault === 'string' && !(await findBackup(deps, object))) {
        if (await listedUncommitted(deps, task)) return { vault };
        throw notFound('backup', object); // and a delete request has since completed
      }
      if (
        await inSomeVault(deps, (store) =>
          store.getBackup(object, { includeDeleted: true }).then((b) => b !== undefined),
        )
      ) {
        return;
      }
      throw notFound('backup', object);
    }
    case 'Restore': {
      const task = await readTask(deps, `restore/${object}`);
      if (task?.executionStatus === 'RUNNING')
        throw conflict(`restore ${JSON.stringify(object)} is in progress; delete it once it has finished`);
      if (task) return;
      const found = await inSomeVault(deps, async (store) => {
        for await (const _ of store.objects.list(store.layout.restoreDir(object))) return true;
        return false;
      });
      if (!found) throw notFound('restore', object);
      return;
    }
  }
}

/** Whether `test` holds in any vault; a vault that cannot be read counts as "maybe", so the request goes on. */
async function inSomeVault(
  deps: ApiDeps,
  test: (store: NonNullable<ReturnType<typeof openStore>>) => Promise<boolean>,
): Promise<boolean> {
  for (const vault of await deps.vaults.list()) {
    const store = openStore(deps, vault);
    if (!store) return true;
    try {
      if (await test(store)) return true;
    } catch (err) {
      deps.logger.warn({ err, vault: vault.name }, 'vault could not be read');
      return true;
    }
  }
  return false;
}

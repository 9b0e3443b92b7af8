// /v1/restores: start a restore (RestoreWorkflow `restore/<name>`) of a completed backup from any
// vault into a configured cluster, read it, and list every item it touched with its outcome.

import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Response } from 'express';
import { z } from 'zod';
import { isObjectNotFound } from '../../vault/backend.js';
import { isRestorable } from '../../vault/backup-metadata.js';
import type { BackupStore } from '../../vault/store.js';
import { BackupNameKey, ClusterKey, PhaseKey, VaultKey } from '../../temporal/search-attributes.js';
import { findBackup, openStore } from '../backup-view.js';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import { badRequest, conflict, HttpProblem, notFound } from '../problem.js';
import { requestLogger } from '../request-log.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { NameParamsSchema, RestoreItemListSchema } from '../schemas.js';
import type { FieldError } from '../../domain/validation.js';
import { RestoreCreateSchema, RestoreSchema, type Restore } from '../../domain/restore.js';
import {
  cancelTask,
  readTask,
  specWithoutName,
  startTask,
  temporalUiLink,
  toRestoreStatus,
  type TaskSnapshot,
  startedStatus,
} from '../tasks.js';
import { taskWorkflowId } from '../../temporal/workflow-ids.js';
import { clusterProblem } from './backups.js';

export interface RestoreRoutesOptions {
  metrics?: ApiMetrics;
}

export function restoreFromTask(deps: ApiDeps, name: string, snap: TaskSnapshot): Restore {
  const link = temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, snap.workflowId, snap.runId);
  return {
    name,
    spec: specWithoutName(snap.spec) as Restore['spec'],
    status: toRestoreStatus(snap.status, link),
  };
}

/** Checks of a create body that need the configuration, after the schema passed for those fields. */
function restoreReferenceErrors(deps: ApiDeps, raw: unknown, schemaErrors: readonly FieldError[]): FieldError[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const body = raw as Record<string, unknown>;
  if (typeof body.cluster !== 'string' || schemaErrors.some((e) => e.path === 'cluster')) return [];
  const problem = clusterProblem(deps, body.cluster);
  return problem ? [{ path: 'cluster', message: problem }] : [];
}

export function restoreRoutes(deps: ApiDeps, options: RestoreRoutesOptions = {}): Route[] {
  /** The vault holding a restore's records: the one its workflow names, else the restored backup's. 404 for an unknown restore. */
  const restoreStore = async (name: string, res: Response): Promise<{ store?: BackupStore; vault?: string }> => {
    const log = requestLogger(res, deps.logger);
    const snap = await readTask(deps, taskWorkflowId('Restore', name));
    if (!snap) throw notFound('restore', name);
    const vaultName = snap.info.typedSearchAttributes.get(VaultKey);
    const backupName = typeof snap.spec?.backupName === 'string' ? snap.spec.backupName : undefined;
    const vault = vaultName === undefined ? undefined : await deps.vaults.get(vaultName);
    if (vault) return { store: openStore(deps, vault, log), vault: vault.name };
    const found = backupName === undefined ? undefined : await findBackup(deps, backupName, { log });
    return { store: found?.store, vault: found?.vault.name };
  };

  const tag = 'restores';
  return [
    route({
      method: 'post',
      path: '/v1/restores',
      operationId: 'createRestore',
      summary: 'Start a restore',
      tag,
      role: 'operator',
      request: {
        body: RestoreCreateSchema,
        bodyChecks: (raw, schemaErrors) => restoreReferenceErrors(deps, raw, schemaErrors),
      },
      responses: {
        202: { description: 'The restore, started.', schema: RestoreSchema },
        404: PROBLEM,
        409: PROBLEM,
      },
      handler: async ({ body: spec, res }) => {
        const log = requestLogger(res, deps.logger);
        // Only a completed backup is offered for restore (the FAQ); say so now rather than start a task that fails.
        const found = await findBackup(deps, spec.backupName, { log });
        if (!found) {
          throw new HttpProblem({
            status: 404,
            code: 'BackupNotFound',
            detail: `backup ${JSON.stringify(spec.backupName)} was not found in any vault; in-progress and failed backups cannot be restored`,
          });
        }
        if (!isRestorable(found.metadata)) {
          const phase = found.metadata.status.phase ?? 'not completed';
          throw badRequest([
            {
              path: 'backupName',
              message: `backup ${JSON.stringify(spec.backupName)} in vault ${found.vault.name} is ${phase} and cannot be restored`,
            },
          ]);
        }
        // A restore's records live in the backup's vault under restores/<name>/: that name must be free there too.
        for await (const _ of found.store.objects.list(found.store.layout.restoreDir(spec.name))) {
          throw conflict(`a restore named ${JSON.stringify(spec.name)} exists in vault ${found.vault.name}`);
        }

        const started = await startTask(deps, {
          type: 'Restore',
          spec,
          searchAttributes: [
            { key: PhaseKey, value: 'InProgress' },
            { key: BackupNameKey, value: spec.backupName },
            { key: ClusterKey, value: spec.cluster },
            { key: VaultKey, value: found.vault.name },
          ],
        });
        options.metrics?.taskStarted('Restore');
        log.info({ restore: spec.name, backup: spec.backupName, workflowId: started.workflowId }, 'restore started');
        const { name, ...rest } = spec;
        const restore: Restore = {
          name,
          spec: rest,
          status: toRestoreStatus(
            startedStatus(started.startTime),
            temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, started.workflowId, started.runId),
          ),
        };
        res.status(202).location(`/v1/restores/${name}`).json(restore);
      },
    }),
    route({
      method: 'get',
      path: '/v1/restores/{name}',
      operationId: 'getRestore',
      summary: 'Get a restore',
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: { 200: { description: 'The restore.', schema: RestoreSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const snap = await readTask(deps, taskWorkflowId('Restore', name));
        if (!snap) throw notFound('restore', name);
        res.json(restoreFromTask(deps, name, snap));
      },
    }),
    route({
      method: 'post',
      path: '/v1/restores/{name}/cancel',
      operationId: 'cancelRestore',
      summary: 'Cancel a running restore',
      tag,
      role: 'operator',
      request: { params: NameParamsSchema },
      responses: {
        202: {
          description:
            'Cancellation requested: the restore stops creating and ends Cancelled; its items say what it created.',
          schema: RestoreSchema,
        },
        404: PROBLEM,
        409: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const snap = await readTask(deps, taskWorkflowId('Restore', name));
        if (!snap) throw notFound('restore', name);
        await cancelTask(deps, `restore ${JSON.stringify(name)}`, snap);
        requestLogger(res, deps.logger).info(
          { restore: name, workflowId: snap.workflowId },
          'restore cancel requested',
        );
        const current = (await readTask(deps, snap.workflowId)) ?? snap;
        res
          .status(202)
          .location(`/v1/restores/${name}`)
          .json(restoreFromTask(deps, name, current));
      },
    }),
    route({
      method: 'get',
      path: '/v1/restores/{name}/items',
      operationId: 'listRestoreItems',
      summary: 'List every item of a restore with its outcome',
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: { 200: { description: 'The items.', schema: RestoreItemListSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        // The items are recorded in the vault of the restored backup, which the workflow names in its attributes.
        const { store } = await restoreStore(name, res);
        const items = store ? await store.getRestoreItems(name) : undefined;
        res.json({ items: items ?? [] });
      },
    }),
    route({
      method: 'get',
      path: '/v1/restores/{name}/logs',
      operationId: 'getRestoreLogs',
      summary: "Read a restore's log",
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: {
        200: {
          description:
            "The restore's log (logrus text, as Velero's): selection and mappings, per type the outcomes and time, every item skipped, failed or warned with its reason. Written when the restore's resources are done (also when cancelled).",
          schema: z.string(),
          contentType: 'text/plain',
        },
        404: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const { store, vault } = await restoreStore(name, res);
        const missing = (detail: string) => new HttpProblem({ status: 404, code: 'LogsNotFound', detail });
        if (!store) throw missing(`restore ${JSON.stringify(name)} has no log: the vault of its backup was not found`);
        let stream;
        try {
          stream = await store.objects.getStream(store.layout.restoreKey(name, 'logs'));
        } catch (err) {
          if (isObjectNotFound(err))
            throw missing(
              `restore ${JSON.stringify(name)} has no log in vault ${vault}: it is written once its resources are restored (or it is cancelled)`,
            );
          throw err;
        }
        res.status(200).type('text/plain; charset=utf-8');
        try {
          await pipeline(stream, createGunzip(), res);
        } catch (err) {
          requestLogger(res, deps.logger).warn({ err, restore: name }, 'log could not be streamed to the end');
          if (!res.destroyed) res.destroy();
        }
      },
    }),
  ];
}

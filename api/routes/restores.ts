// /v1/restores: start a restore (RestoreWorkflow `restore/<name>`) of a completed backup from any
// vault into a configured cluster, read it, and list every item it touched with its outcome.

import { Router } from 'express';
import { isRestorable } from '../../vault/backup-metadata.js';
import { BackupNameKey, ClusterKey, PhaseKey, VaultKey } from '../../temporal/search-attributes.js';
import { findBackup, openStore } from '../backup-view.js';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import { badRequest, conflict, HttpProblem, notFound } from '../problem.js';
import { requestLogger } from '../request-log.js';
import { NameParamsSchema } from '../schemas.js';
import { type FieldError, validate } from '../../domain/validation.js';
import { RestoreCreateSchema, type Restore, type RestoreCreate } from '../../domain/restore.js';
import {
  readTask,
  specWithoutName,
  startTask,
  temporalUiLink,
  toRestoreStatus,
  type TaskSnapshot,
  startedStatus,
} from '../tasks.js';
import { taskWorkflowId } from '../../temporal/workflow-ids.js';
import { validateParams, missingBody } from '../validate.js';
import { clusterProblem } from './backups.js';

export interface RestoresRouterOptions {
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

export function restoresRouter(deps: ApiDeps, options: RestoresRouterOptions = {}): Router {
  const router = Router();

  router.post('/v1/restores', async (req, res) => {
    if (req.body === undefined) {
      throw missingBody();
    }
    const log = requestLogger(res, deps.logger);
    const parsed = validate(RestoreCreateSchema, req.body);
    const errors: FieldError[] = parsed.success ? [] : [...parsed.errors];
    const body = req.body as Record<string, unknown>;
    if (typeof body.cluster === 'string' && !errors.some((e) => e.path === 'cluster')) {
      const problem = clusterProblem(deps, body.cluster);
      if (problem) errors.push({ path: 'cluster', message: problem });
    }
    if (!parsed.success || errors.length > 0) throw badRequest(errors);
    const spec: RestoreCreate = parsed.data;

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
  });

  router.get('/v1/restores/:name', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
    const snap = await readTask(deps, taskWorkflowId('Restore', name));
    if (!snap) throw notFound('restore', name);
    res.json(restoreFromTask(deps, name, snap));
  });

  router.get('/v1/restores/:name/items', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
    const log = requestLogger(res, deps.logger);
    const snap = await readTask(deps, taskWorkflowId('Restore', name));
    if (!snap) throw notFound('restore', name);
    // The items are recorded in the vault of the restored backup, which the workflow names in its attributes.
    const vaultName = snap.info.typedSearchAttributes.get(VaultKey);
    const backupName = typeof snap.spec?.backupName === 'string' ? snap.spec.backupName : undefined;
    let store = undefined;
    const vault = vaultName === undefined ? undefined : await deps.vaults.get(vaultName);
    if (vault) store = openStore(deps, vault, log);
    else if (backupName !== undefined) store = (await findBackup(deps, backupName, { log }))?.store;
    const items = store ? await store.getRestoreItems(name) : undefined;
    res.json({ items: items ?? [] });
  });

  return router;
}

// /v1/backups: start a backup (BackupWorkflow `backup/<name>`), list the vaults' backups together
// with the running (and failed) backup workflows, read one, its items, its log, and delete it
// through a delete request.
//
// Where a backup is read from: a running workflow answers its status query; a finished one its
// result, as long as its backup is still in the vault (a deleted backup is gone even when Temporal
// still retains the workflow); a backup that is in a vault but has no workflow here (made by
// Velero, the managed backup center, or another backup center) is read from velero-backup.json.
// Deleting is a delete request (api/routes/delete-requests.ts).

import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { Response } from 'express';
import { isObjectNotFound } from '../../vault/backend.js';
import type { Results } from '../../vault/results.js';
import { BackupNameKey, ClusterKey, PhaseKey, VaultKey } from '../../temporal/search-attributes.js';
import {
  backupFromVelero,
  findBackup,
  hasIssues,
  openStore,
  ResourceItemCollector,
  type FoundBackup,
} from '../backup-view.js';
import type { ApiDeps } from '../deps.js';
import type { ApiMetrics } from '../metrics.js';
import { conflict, HttpProblem, notFound } from '../problem.js';
import { requestLogger } from '../request-log.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import {
  BackupListQuerySchema,
  BackupListSchema,
  BackupResourceListSchema,
  ObjectNameParamsSchema,
  type BackupListQuery,
} from '../schemas.js';
import type { FieldError } from '../../domain/validation.js';
import { BackupCreateSchema, BackupSchema, type Backup } from '../../domain/backup.js';
import { DeleteRequestSchema } from '../../domain/delete-request.js';
import { mapLimit } from '../../lib/concurrency.js';
import {
  cancelTask,
  listExecutions,
  readTask,
  snapshotOf,
  specWithoutName,
  startTask,
  temporalUiLink,
  toBackupStatus,
  type TaskSnapshot,
  startedStatus,
} from '../tasks.js';
import { taskNameFromWorkflowId, taskWorkflowId } from '../../temporal/workflow-ids.js';
import { startDeleteRequest } from './delete-requests.js';

export interface BackupRoutesOptions {
  metrics?: ApiMetrics;
}

/** Reads of vaults and Temporal that one list request runs at once. */
const CONCURRENCY = 8;
/** Workflows one list request reads from Temporal's visibility store. */
const LIST_LIMIT = 500;

/** Checks of a create body that need the configuration or the vaults, after the schema passed for those fields. */
export async function backupReferenceErrors(
  deps: Pick<ApiDeps, 'config' | 'vaults'>,
  body: unknown,
  schemaErrors: readonly FieldError[],
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (typeof body !== 'object' || body === null) return errors;
  const b = body as Record<string, unknown>;
  const bad = (path: string) => schemaErrors.some((e) => e.path === path);
  if (typeof b.cluster === 'string' && !bad('cluster')) {
    const problem = clusterProblem(deps, b.cluster);
    if (problem) errors.push({ path: 'cluster', message: problem });
  }
  if (typeof b.vault === 'string' && !bad('vault') && (await deps.vaults.get(b.vault)) === undefined) {
    errors.push({ path: 'vault', message: `no vault named ${JSON.stringify(b.vault)} exists` });
  }
  return errors;
}

/** Why `cluster` cannot be used, or undefined: it must be configured (`clusters` in the configuration). */
export function clusterProblem(deps: Pick<ApiDeps, 'config'>, cluster: string): string | undefined {
  const names = deps.config.clusters.map((c) => c.name);
  if (names.includes(cluster)) return undefined;
  return names.length === 0
    ? `no cluster named ${JSON.stringify(cluster)} is configured (no clusters are configured)`
    : `no cluster named ${JSON.stringify(cluster)} is configured (configured: ${names.join(', ')})`;
}

function link(deps: ApiDeps, snap: TaskSnapshot): string | null {
  return temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, snap.workflowId, snap.runId);
}

/** A backup workflow as a Backup resource. */
export function backupFromTask(deps: ApiDeps, snap: TaskSnapshot, name?: string): Backup {
  const spec = specWithoutName(snap.spec);
  return {
    name: name ?? (typeof snap.spec?.name === 'string' ? snap.spec.name : backupNameOf(snap)),
    spec: spec as Backup['spec'],
    status: toBackupStatus(snap.status, link(deps, snap), spec.ttl),
  };
}

function backupNameOf(snap: Pick<TaskSnapshot, 'info' | 'workflowId'>): string {
  return (
    snap.info.typedSearchAttributes.get(BackupNameKey) ??
    taskNameFromWorkflowId('Backup', snap.workflowId) ??
    snap.workflowId
  );
}

/**
 * The backup workflow of that name: `backup/<name>`, else the newest backup workflow whose
 * BackupCenterBackup attribute names it (backups started by schedules carry the schedule's ids).
 */
export async function findBackupTask(deps: ApiDeps, name: string): Promise<TaskSnapshot | undefined> {
  const direct = await readTask(deps, taskWorkflowId('Backup', name));
  if (direct) return direct;
  const [info] = await listExecutions(deps, `BackupCenterTaskType="Backup" AND BackupCenterBackup=${quoted(name)}`, 1);
  return info ? snapshotOf(deps, info) : undefined;
}

/** The backup as GET /v1/backups/{name} serves it, or undefined (404). */
export async function getBackup(deps: ApiDeps, name: string, res?: Response): Promise<Backup | undefined> {
  const log = res ? requestLogger(res, deps.logger) : deps.logger;
  const snap = await findBackupTask(deps, name);
  if (snap?.executionStatus === 'RUNNING') return backupFromTask(deps, snap, name);
  const prefer = typeof snap?.spec?.vault === 'string' ? snap.spec.vault : undefined;
  const found = await findBackup(deps, name, { prefer, log });
  if (found) {
    const phase = snap?.status.phase;
    if (snap && (phase === 'Completed' || phase === 'PartiallyFailed')) return backupFromTask(deps, snap, name);
    return backupFromVelero(found.metadata, found.vault.name, { results: await readResults(found, log) });
  }
  // Finished successfully but no longer in any vault, or failed and then deleted: gone.
  if (!snap || !(await listedUncommitted(deps, snap))) return undefined;
  return backupFromTask(deps, snap, name);
}

async function readResults(found: FoundBackup, log: ApiDeps['logger']): Promise<Results | undefined> {
  if (!hasIssues(found.metadata)) return undefined;
  try {
    return await found.store.getResults(found.metadata.metadata.name);
  } catch (err) {
    log.warn({ err, backup: found.metadata.metadata.name, vault: found.vault.name }, 'results could not be read');
    return undefined;
  }
}

/**
 * Whether a backup task that ended without committing (Failed, Cancelled, terminated…) is still
 * listed: until a delete request for its name completes after it started.
 */
export async function listedUncommitted(deps: ApiDeps, snap: TaskSnapshot): Promise<boolean> {
  if (snap.executionStatus === 'RUNNING') return false;
  if (snap.status.phase === 'Completed' || snap.status.phase === 'PartiallyFailed') return false;
  const name = backupNameOf(snap);
  const query =
    `BackupCenterTaskType="Delete" AND ExecutionStatus="Completed" AND BackupCenterBackup=${quoted(name)}` +
    ` AND StartTime > "${snap.info.startTime.toISOString()}"`;
  return (await listExecutions(deps, query, 1)).length === 0;
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** Visibility query of the backup workflows GET /v1/backups shows besides the vaults' backups. */
export function backupListQuery(q: BackupListQuery, which: 'running' | 'failed'): string {
  const clauses = ['BackupCenterTaskType="Backup"'];
  clauses.push(
    which === 'running'
      ? 'ExecutionStatus="Running"'
      : 'ExecutionStatus IN ("Failed", "Terminated", "Canceled", "TimedOut")',
  );
  if (q.cluster !== undefined) clauses.push(`BackupCenterCluster=${quoted(q.cluster)}`);
  if (q.vault !== undefined) clauses.push(`BackupCenterVault=${quoted(q.vault)}`);
  return clauses.join(' AND ');
}

/**
 * One list from three sources, by name: a running workflow wins over the vault (its backup is not
 * committed yet, or is being committed), the vault over a failed workflow of the same name.
 */
export function mergeBackups(running: Backup[], vaulted: Backup[], failed: Backup[]): Backup[] {
  const byName = new Map<string, Backup>();
  for (const list of [running, vaulted, failed]) {
    for (const b of list) if (!byName.has(b.name)) byName.set(b.name, b);
  }
  return [...byName.values()].sort(
    (a, b) =>
      (b.status.startTimestamp ?? '').localeCompare(a.status.startTimestamp ?? '') || a.name.localeCompare(b.name),
  );
}

export function matchesListQuery(b: Backup, q: BackupListQuery): boolean {
  if (q.cluster !== undefined && b.spec.cluster !== q.cluster) return false;
  if (q.vault !== undefined && b.spec.vault !== q.vault) return false;
  if (q.phase !== undefined && b.status.phase !== q.phase) return false;
  return true;
}

async function listBackups(deps: ApiDeps, q: BackupListQuery, res: Response): Promise<Backup[]> {
  const log = requestLogger(res, deps.logger);
  const wantsRunning = q.phase === undefined || q.phase === 'InProgress';
  const wantsFailed = q.phase === undefined || q.phase === 'Failed' || q.phase === 'Cancelled';

  const fromTemporal = async (which: 'running' | 'failed'): Promise<Backup[]> => {
    const infos = await listExecutions(deps, backupListQuery(q, which), LIST_LIMIT);
    const backups = await mapLimit(infos, CONCURRENCY, async (info) => {
      const snap = await snapshotOf(deps, info);
      // A failed (or cancelled) backup that was deleted is no longer listed.
      if (which === 'failed' && !(await listedUncommitted(deps, snap))) return undefined;
      return backupFromTask(deps, snap);
    });
    return backups.filter((b): b is Backup => b !== undefined);
  };

  const fromVaults = async (): Promise<Backup[]> => {
    const vaults = (await deps.vaults.list()).filter((v) => q.vault === undefined || v.name === q.vault);
    const perVault = await mapLimit(vaults, CONCURRENCY, async (vault) => {
      const store = openStore(deps, vault, log);
      if (!store) return [];
      try {
        const metas = await store.listBackups({
          onUnreadable: (name, err) => log.warn({ err, vault: vault.name, backup: name }, 'backup metadata unreadable'),
        });
        return mapLimit(metas, CONCURRENCY, async (meta) => {
          const results = hasIssues(meta) ? await readResults({ vault, store, metadata: meta }, log) : undefined;
          return backupFromVelero(meta, vault.name, { results });
        });
      } catch (err) {
        log.warn({ err, vault: vault.name }, 'vault could not be listed');
        return [];
      }
    });
    return perVault.flat();
  };

  const [running, vaulted, failed] = await Promise.all([
    wantsRunning ? fromTemporal('running') : Promise.resolve([]),
    fromVaults(),
    wantsFailed ? fromTemporal('failed') : Promise.resolve([]),
  ]);
  return mergeBackups(running, vaulted, failed).filter((b) => matchesListQuery(b, q));
}

/** Writes a chunk, waiting while the client reads slowly; false once the client is gone. */
async function writeChunk(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed) return false;
  if (res.write(chunk)) return true;
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
  return !res.destroyed;
}

export function backupRoutes(deps: ApiDeps, options: BackupRoutesOptions = {}): Route[] {
  /** The committed backup for /resources and /logs; a running one has neither yet. */
  const committed = async (name: string, res: Response): Promise<FoundBackup> => {
    const found = await findBackup(deps, name, { log: requestLogger(res, deps.logger) });
    if (found) return found;
    const snap = await findBackupTask(deps, name);
    if (snap?.executionStatus === 'RUNNING') {
      throw new HttpProblem({
        status: 404,
        code: 'BackupNotCommitted',
        detail: `backup ${JSON.stringify(name)} is InProgress; its items and log are served once it is complete`,
      });
    }
    if (snap && snap.status.phase === 'Failed') {
      throw new HttpProblem({
        status: 404,
        code: 'BackupNotCommitted',
        detail: `backup ${JSON.stringify(name)} failed; a failed backup keeps no items or log in the vault (see its status.errors)`,
      });
    }
    throw notFound('backup', name);
  };

  const tag = 'backups';
  return [
    route({
      method: 'post',
      path: '/v1/backups',
      operationId: 'createBackup',
      summary: 'Start a backup',
      tag,
      role: 'operator',
      request: {
        body: BackupCreateSchema,
        bodyChecks: (raw, schemaErrors) => backupReferenceErrors(deps, raw, schemaErrors),
      },
      responses: { 202: { description: 'The backup, started.', schema: BackupSchema }, 404: PROBLEM, 409: PROBLEM },
      handler: async ({ body: spec, res }) => {
        const existing = await findBackup(deps, spec.name, {
          prefer: spec.vault,
          log: requestLogger(res, deps.logger),
        });
        if (existing)
          throw conflict(`a backup named ${JSON.stringify(spec.name)} exists in vault ${existing.vault.name}`);

        const started = await startTask(deps, {
          type: 'Backup',
          spec,
          searchAttributes: [
            { key: PhaseKey, value: 'InProgress' },
            { key: BackupNameKey, value: spec.name },
            { key: ClusterKey, value: spec.cluster },
            { key: VaultKey, value: spec.vault },
          ],
        });
        options.metrics?.taskStarted('Backup');
        requestLogger(res, deps.logger).info({ backup: spec.name, workflowId: started.workflowId }, 'backup started');
        const { name, ...rest } = spec;
        const body: Backup = {
          name,
          spec: rest,
          status: toBackupStatus(
            startedStatus(started.startTime),
            temporalUiLink(deps.temporalUiUrl, deps.client.options.namespace, started.workflowId, started.runId),
            spec.ttl,
          ),
        };
        res.status(202).location(`/v1/backups/${name}`).json(body);
      },
    }),
    route({
      method: 'get',
      path: '/v1/backups',
      operationId: 'listBackups',
      summary: 'List completed backups from the vaults plus running ones',
      tag,
      role: 'viewer',
      request: { query: BackupListQuerySchema },
      responses: { 200: { description: 'The backups.', schema: BackupListSchema } },
      handler: async ({ query, res }) => {
        res.json({ items: await listBackups(deps, query, res) });
      },
    }),
    route({
      method: 'get',
      path: '/v1/backups/{name}',
      operationId: 'getBackup',
      summary: 'Get a backup',
      tag,
      role: 'viewer',
      request: { params: ObjectNameParamsSchema },
      responses: { 200: { description: 'The backup.', schema: BackupSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const backup = await getBackup(deps, name, res);
        if (!backup) throw notFound('backup', name);
        res.json(backup);
      },
    }),
    route({
      method: 'get',
      path: '/v1/backups/{name}/resources',
      operationId: 'listBackupResources',
      summary: 'List every item of a backup',
      tag,
      role: 'viewer',
      request: { params: ObjectNameParamsSchema },
      responses: { 200: { description: 'The items.', schema: BackupResourceListSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const found = await committed(name, res);
        const log = requestLogger(res, deps.logger);
        // Stream: a backup may hold far more items than are worth holding in memory as JSON.
        const entries = found.store.openArchive(name)[Symbol.asyncIterator]();
        let next = await entries.next(); // an unreadable archive is still answered as a problem
        res.status(200).type('application/json');
        const collector = new ResourceItemCollector();
        let first = true;
        try {
          if (!(await writeChunk(res, '{"items":['))) return;
          while (!next.done) {
            const item = collector.add(next.value);
            if (item) {
              if (!(await writeChunk(res, (first ? '' : ',') + JSON.stringify(item)))) return;
              first = false;
            }
            next = await entries.next();
          }
          res.end(']}');
        } catch (err) {
          log.error({ err, backup: name, vault: found.vault.name }, 'archive could not be read to the end');
          res.destroy(err instanceof Error ? err : new Error(String(err)));
        } finally {
          await entries.return?.(undefined);
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/backups/{name}/logs',
      operationId: 'getBackupLogs',
      summary: 'Get the log of a backup',
      tag,
      role: 'viewer',
      request: { params: ObjectNameParamsSchema },
      responses: {
        200: { description: 'The log.', schema: z.string(), contentType: 'text/plain' },
        404: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const found = await committed(name, res);
        let stream;
        try {
          stream = await found.store.objects.getStream(found.store.layout.backupKey(name, 'logs'));
        } catch (err) {
          if (isObjectNotFound(err)) {
            throw new HttpProblem({
              status: 404,
              code: 'LogsNotFound',
              detail: `backup ${JSON.stringify(name)} has no log in vault ${found.vault.name}`,
            });
          }
          throw err;
        }
        res.status(200).type('text/plain; charset=utf-8');
        try {
          await pipeline(stream, createGunzip(), res);
        } catch (err) {
          requestLogger(res, deps.logger).warn({ err, backup: name }, 'log could not be streamed to the end');
          if (!res.destroyed) res.destroy();
        }
      },
    }),
    route({
      method: 'post',
      path: '/v1/backups/{name}/cancel',
      operationId: 'cancelBackup',
      summary: 'Cancel a running backup',
      tag,
      role: 'operator',
      request: { params: ObjectNameParamsSchema },
      responses: {
        202: {
          description: 'Cancellation requested: the backup ends Cancelled, its staged files removed.',
          schema: BackupSchema,
        },
        404: PROBLEM,
        409: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const snap = await findBackupTask(deps, name);
        if (!snap) {
          // Only in a vault (made elsewhere, or its workflow no longer retained): long finished.
          if (!(await findBackup(deps, name, { log: requestLogger(res, deps.logger) }))) throw notFound('backup', name);
          throw new HttpProblem({
            status: 409,
            code: 'TaskFinished',
            detail: `backup ${JSON.stringify(name)} has finished; only a running task can be cancelled`,
          });
        }
        await cancelTask(deps, `backup ${JSON.stringify(name)}`, snap);
        requestLogger(res, deps.logger).info({ backup: name, workflowId: snap.workflowId }, 'backup cancel requested');
        const current = (await findBackupTask(deps, name)) ?? snap;
        res
          .status(202)
          .location(`/v1/backups/${name}`)
          .json(backupFromTask(deps, current, name));
      },
    }),
    // The same as POST /v1/delete-requests {deleteObjectName: name, deleteObjectType: "Backup"}.
    route({
      method: 'delete',
      path: '/v1/backups/{name}',
      operationId: 'deleteBackup',
      summary: 'Delete a backup',
      tag,
      role: 'operator',
      request: { params: ObjectNameParamsSchema },
      responses: {
        202: { description: 'The delete request.', schema: DeleteRequestSchema },
        404: PROBLEM,
        409: PROBLEM,
      },
      handler: async ({ params: { name }, res }) => {
        const request = await startDeleteRequest(deps, { deleteObjectName: name, deleteObjectType: 'Backup' });
        res.status(202).location(`/v1/delete-requests/${request.name}`).json(request);
      },
    }),
  ];
}

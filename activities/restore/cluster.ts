import { gzipSync } from 'node:zlib';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { RestoreCreate, RestoreItem } from '../../domain/restore.js';
import { ErrorCode, messages } from '../../domain/errors.js';
import type { TaskIssue } from '../../domain/task.js';
import type { Logger } from '../../lib/logger.js';
import { chooseRestoreVersion, type ServedVersions } from '../../resources/api-versions.js';
import { labelFilter } from '../../domain/label-selector.js';
import { isNamespaceSelected, resolveResourceName } from '../../resources/selection.js';
import { groupResource, splitGroupResource, type ApiResourceType, type KubeObject } from '../../resources/types.js';
import {
  clashingNodePorts,
  mapNamespace,
  nodePortsTakenError,
  prepareForRestore,
  reassignedNodePorts,
  reassignedNodePortsWarning,
  serviceForExisting,
  sortForRestore,
  waitConditionFor,
  withoutNodePorts,
  type RestoreContext,
  type RestoreOptions,
} from '../../restore-actions/index.js';
import { parseResourceModifiers } from '../../restore-actions/resource-modifiers.js';
import { addResult, emptyResults } from '../../vault/results.js';
import { KubeApiError, resourcePath, type KubeClient } from '../kube/client.js';
import { discoverResources } from '../kube/discovery.js';
import { ProgressReporter, throttledHeartbeat } from '../progress.js';
import { openVault, type VaultAccess } from '../../vault/open.js';
import type { BackupStore } from '../../vault/store.js';
import { readBackupContents, type StoredObject } from './backup-contents.js';
import { sameAsExisting } from './compare.js';
import { isReady, readinessOf, type ReadinessCheck } from './readiness.js';
import type { VaultCreate } from '../../domain/vault.js';
import { mapLimit } from '../../lib/concurrency.js';
import { duration, TaskLog } from '../backup/task-log.js';
import { logRestoreSelection, RestoreTypeStats } from './restore-log.js';

/** Labels every restored object carries (Velero's keys, so tools that know Velero find them). */
export const RESTORE_NAME_LABEL = 'velero.io/restore-name';
export const BACKUP_NAME_LABEL = 'velero.io/backup-name';

export interface RestoreDone {
  totalItems: number;
  itemsRestored: number;
  errors: TaskIssue[];
  warnings: TaskIssue[];
  /** Objects the restore created that were ready in the source and must become ready again. */
  readiness: ReadinessCheck[];
}

export interface RestoreClusterDeps extends VaultAccess {
  cluster: string;
  kube: KubeClient;
  logger: Logger;
  /** Objects of one type created at once. */
  concurrency?: number;
  diskProvisioners?: readonly string[];
  /** Disk PVCs smaller than this grow to it on restore (config `minDiskSizeGiB`); 20 by default. */
  minDiskSizeGiB?: number;
}

/** The disk rule's settings of the restore actions, from the agent's configuration (`diskProvisioners`, `minDiskSizeGiB`). */
export function diskOptions(deps: Pick<RestoreClusterDeps, 'diskProvisioners' | 'minDiskSizeGiB'>): RestoreOptions {
  return {
    diskProvisioners: deps.diskProvisioners,
    minDiskSize: deps.minDiskSizeGiB === undefined ? undefined : `${deps.minDiskSizeGiB}Gi`,
  };
}

interface Selected {
  stored: StoredObject;
  gr: string;
}

export function createRestoreClusterActivities(deps: RestoreClusterDeps) {
  const { kube } = deps;

  return {
    /**
     * Restores the selected objects of a backup in priority order (data in restore-actions/priorities),
     * each in the version the target prefers among those stored. Every item's outcome is recorded
     * in the vault. Idempotent: a retry after a crash finds what the first attempt created (by its
     * restore label) and reports it as created, so the cluster ends as after an undisturbed run.
     */
    async restoreResources(input: { spec: RestoreCreate; vault: VaultCreate }): Promise<RestoreDone> {
      const { spec } = input;
      const log = deps.logger.child({ restore: spec.name, backup: spec.backupName, cluster: deps.cluster });
      const store = openVault(input.vault, deps);
      // The log (restore-<name>-logs.gz): selection and mappings, steps, per type the outcomes and
      // time, one line per item skipped, failed or warned; written at the end, also when cancelled.
      const started = Date.now();
      const tlog = new TaskLog({ restore: spec.name });
      logRestoreSelection(tlog, spec);
      // Reading the archive and discovery can be slow on a large backup or cluster: heartbeat through them.
      const beat = throttledHeartbeat();
      const contents = await readBackupContents(store, spec.backupName, beat);
      let inBackup = 0;
      for (const objects of contents.values()) inBackup += objects.size;
      tlog.step('read backup', started, { items: inBackup, vault: input.vault.name });
      let stepStart = Date.now();
      let discovery = await discoverResources(kube, beat);
      tlog.step('discovery', stepStart, { cluster: deps.cluster, resourceTypes: discovery.types.length });

      // Selection, on the objects as they are in the backup.
      const matchLabels = labelFilter(spec);
      const nsFilter = {
        includedNamespaces: spec.includedNamespaces,
        excludedNamespaces: spec.excludedNamespaces,
        ownNamespace: '',
      };
      const included = resourceFilter(spec.includedResources, discovery.types);
      const excluded = resourceFilter(spec.excludedResources ?? [], discovery.types);
      const selected: Selected[] = [];
      const namespacesOfItems = new Set<string>();
      for (const [gr, objects] of contents) {
        if ((included && !included(gr)) || excluded?.(gr)) continue;
        for (const stored of objects.values()) {
          const obj = stored.versions[stored.preferred ?? Object.keys(stored.versions)[0]!]!;
          if (stored.namespace !== undefined && !isNamespaceSelected(stored.namespace, nsFilter)) continue;
          if (gr === 'namespaces' && !isNamespaceSelected(stored.name, nsFilter)) continue;
          if (gr !== 'namespaces' && !matchLabels.matches(obj.metadata.labels ?? {})) continue;
          if (stored.namespace) namespacesOfItems.add(stored.namespace);
          selected.push({ stored, gr });
        }
      }
      // A Namespace object is restored only when something in it is (or it was asked for by name).
      const chosen = selected.filter(
        (s) =>
          s.gr !== 'namespaces' ||
          namespacesOfItems.has(s.stored.name) ||
          (spec.includedNamespaces ?? []).includes(s.stored.name),
      );

      const chosenNs = [
        ...new Set(chosen.flatMap((s) => (s.stored.namespace === undefined ? [] : [s.stored.namespace]))),
      ];
      tlog.info(`Selected ${chosen.length} of ${inBackup} items in the backup`, {
        items: chosen.length,
        namespaces: chosenNs.sort().join(', ') || undefined,
      });

      // The target's StorageClasses decide mappings and checks: a failed list fails the attempt
      // (retried) rather than passing for a cluster without any.
      const storageClasses = (await kube.get<{ items: KubeObject[] }>('/apis/storage.k8s.io/v1/storageclasses')).items;
      const ctx: RestoreContext = {
        namespaceMapping: spec.namespaceMapping,
        storageClassMapping: spec.storageClassMapping,
        imageRegistryMapping: spec.imageRegistryMapping,
        imageMapping: spec.imageMapping,
        preserveNodePorts: spec.preserveNodePorts,
        restorePVs: spec.restorePVs,
        convertToAccessModes: spec.convertToAccessModes,
        restoredUids: chosen.map((s) => preferredOf(s.stored).metadata.uid).filter((u): u is string => !!u),
        persistentVolumes: Object.fromEntries(
          [...(contents.get('persistentvolumes')?.values() ?? [])].map((pv) => [pv.name, preferredOf(pv)]),
        ),
        storageClassProvisioners: Object.fromEntries(
          [
            ...storageClasses,
            ...[...(contents.get('storageclasses.storage.k8s.io')?.values() ?? [])].map(preferredOf),
          ].map((sc) => [sc.metadata.name, String((sc as { provisioner?: string }).provisioner ?? '')]),
        ),
        targetStorageClasses: [
          ...storageClasses.map((sc) => sc.metadata.name),
          ...[...(contents.get('storageclasses.storage.k8s.io')?.values() ?? [])].map((sc) => sc.name),
        ],
        options: {
          ...diskOptions(deps),
          restoreLabels: { [RESTORE_NAME_LABEL]: spec.name, [BACKUP_NAME_LABEL]: spec.backupName },
        },
      };
      if (spec.resourceModifiers !== undefined) {
        const parsed = parseResourceModifiers(spec.resourceModifiers);
        if (!parsed.ok) {
          const detail = parsed.errors.map((e) => `resourceModifiers.${e.path}: ${e.message}`).join('; ');
          throw ApplicationFailure.nonRetryable(`invalid resourceModifiers: ${detail}`, ErrorCode.InvalidSpec);
        }
        ctx.resourceModifiers = parsed.value;
      }

      const items: RestoreItem[] = [];
      const errors: TaskIssue[] = [];
      const warnings: TaskIssue[] = [];
      const results = emptyResults();
      const readiness: ReadinessCheck[] = [];
      const progress = new ProgressReporter();
      const stats = new RestoreTypeStats();
      const total = chosen.length;
      let done = 0;
      const record = (item: RestoreItem, targetNs: string | undefined) => {
        items.push(item);
        done++;
        const gr = groupResource(item.group, item.resource);
        stats.count(gr, item.outcome);
        const fields = { resource: gr, namespace: item.namespace, name: item.name };
        if (item.outcome === 'skipped') tlog.item('info', 'Skipped item', { ...fields, reason: item.reason });
        if (item.outcome === 'failed') tlog.item('error', 'Failed to restore item', { ...fields, error: item.reason });
        const what = `${gr} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`;
        if (item.outcome === 'failed') {
          errors.push({ code: item.code ?? ErrorCode.ItemFailed, message: `${what}: ${item.reason}`, item: what });
          addResult(results.errors, targetNs, `${what}: ${item.reason}`);
        }
        if (done % 50 === 0 || done === total) progress.report({ totalItems: total, itemsRestored: done });
      };
      const warn = (what: string, message: string, ns: string | undefined) => {
        warnings.push({ code: 'Warning', message: `${what}: ${message}`, item: what });
        addResult(results.warnings, ns, `${what}: ${message}`);
        tlog.item('warning', 'Item warning', { item: what, warning: message });
      };

      const restoreOne = async ({ stored, gr }: Selected) => {
        const { group, resource } = splitGroupResource(gr);
        const targetNs =
          stored.namespace !== undefined ? mapNamespace(stored.namespace, spec.namespaceMapping) : undefined;
        const base = { group, resource, name: stored.name, ...(targetNs !== undefined ? { namespace: targetNs } : {}) };
        const served = servedVersions(discovery.types, group, resource);
        const choice = chooseRestoreVersion({
          group,
          resource,
          stored: { versions: Object.keys(stored.versions), preferred: stored.preferred },
          served,
        });
        if (choice.version === null) {
          return record(
            {
              ...base,
              version: stored.preferred ?? '',
              outcome: 'failed',
              code: ErrorCode.NoCommonApiVersion,
              reason: choice.error,
            },
            targetNs,
          );
        }
        const version = choice.version;
        const prepared = prepareForRestore(stored.versions[version]!, ctx, gr);
        const what = `${gr} ${targetNs ? `${targetNs}/` : ''}${stored.name}`;
        for (const w of prepared.warnings) warn(what, w, targetNs);
        if (prepared.error)
          return record(
            { ...base, version, outcome: 'failed', code: ErrorCode.ItemFailed, reason: prepared.error },
            targetNs,
          );
        if (prepared.skip) return record({ ...base, version, outcome: 'skipped', reason: prepared.reason }, targetNs);
        const object = prepared.object;
        // Mappings may rename the object itself (a Namespace under namespaceMapping).
        base.name = object.metadata.name;
        const collection = resourcePath(group, version, resource, targetNs);
        const path = resourcePath(group, version, resource, targetNs, object.metadata.name);
        const fail = (reason: string) =>
          record({ ...base, version, outcome: 'failed', code: ErrorCode.ItemFailed, reason }, targetNs);
        const created = () => {
          record({ ...base, version, outcome: 'created' }, targetNs);
          const check = readinessOf(gr, preferredOf(stored), group, version, resource, targetNs, object.metadata.name);
          if (check) readiness.push(check);
        };
        // Node ports the target assigned instead of the backup's (a clash) are named in a warning on the item.
        const warnReassigned = (live: KubeObject | undefined) => {
          const changes = gr === 'services' && live ? reassignedNodePorts(object, live) : [];
          if (changes.length > 0) warn(what, reassignedNodePortsWarning(changes), targetNs);
        };
        let createError: unknown;
        try {
          await kube.request('POST', collection, { body: object });
          return created();
        } catch (err) {
          createError = err;
        }
        // Whatever the create answered (409 AlreadyExists, or a 422 for a taken node port, which
        // the API server checks before the name), find out whether the object exists.
        let existing: KubeObject | undefined;
        try {
          existing = await getIfExists(kube, path);
        } catch {
          return fail(errorText(createError)); // the create's answer says more than the read's
        }
        try {
          if (!existing) {
            const taken = gr === 'services' ? clashingNodePorts(errorText(createError)) : [];
            if (taken.length === 0) return fail(errorText(createError));
            if (spec.preserveNodePorts === true) return fail(nodePortsTakenError(taken));
            // The port is held by another Service (a copy into the same cluster): let the API server assign one.
            const live = await createWithoutTakenPorts(kube, collection, object, taken);
            warnReassigned(live);
            return created();
          }
          // It exists: ours from an earlier attempt, identical, or different.
          if (existing.metadata.labels?.[RESTORE_NAME_LABEL] === spec.name) {
            warnReassigned(existing);
            return record({ ...base, version, outcome: 'created' }, targetNs);
          }
          // A Service keeps its clusterIP, and (unless preserveNodePorts) the node ports it has.
          const desired = gr === 'services' ? serviceForExisting(object, existing, spec.preserveNodePorts) : object;
          if (sameAsExisting(desired, existing, [RESTORE_NAME_LABEL, BACKUP_NAME_LABEL])) {
            return record(
              { ...base, version, outcome: 'skipped', reason: 'already exists in the cluster and is identical' },
              targetNs,
            );
          }
          if ((spec.existingResourcePolicy ?? 'none') === 'update') {
            const { metadata, ...rest } = desired;
            const { resourceVersion: _rv, ...meta } = metadata;
            await kube.request('PATCH', path, {
              body: { ...rest, metadata: meta },
              contentType: 'application/merge-patch+json',
            });
            return record({ ...base, version, outcome: 'updated' }, targetNs);
          }
          warn(
            what,
            'already exists in the cluster and differs from the backup; left unchanged (existingResourcePolicy: none)',
            targetNs,
          );
          return record(
            {
              ...base,
              version,
              outcome: 'skipped',
              reason: 'already exists and differs from the backup; left unchanged',
            },
            targetNs,
          );
        } catch (err) {
          return fail(errorText(err));
        }
      };

      const byGr = new Map<string, Selected[]>();
      for (const s of chosen) (byGr.get(s.gr) ?? byGr.set(s.gr, []).get(s.gr)!).push(s);
      const ensuredNamespaces = new Set<string>();
      // A cancelled restore (learnt at a heartbeat) stops creating; what it created is recorded below.
      const cancelled = Context.current().cancellationSignal;
      stepStart = Date.now();
      for (const gr of sortForRestore([...byGr.keys()])) {
        if (cancelled.aborted) break;
        const typeStart = Date.now();
        const group = byGr.get(gr)!.sort((a, b) => key(a.stored).localeCompare(key(b.stored)));
        if (gr !== 'namespaces' && gr !== 'customresourcedefinitions.apiextensions.k8s.io') {
          // Namespaces of items whose Namespace object is not in the restore (label selectors) are created bare.
          for (const s of group) {
            const ns =
              s.stored.namespace !== undefined ? mapNamespace(s.stored.namespace, spec.namespaceMapping) : undefined;
            if (ns && !ensuredNamespaces.has(ns)) {
              ensuredNamespaces.add(ns);
              await ensureNamespace(kube, ns);
            }
          }
        }
        await mapLimit(group, deps.concurrency ?? 8, async (s) => {
          if (!cancelled.aborted) await restoreOne(s);
        });
        Context.current().heartbeat({ groupResource: gr, itemsRestored: done });
        if (waitConditionFor(gr) === 'Established') {
          for (const s of group) await waitCrdEstablished(kube, s.stored.name);
          discovery = await discoverResources(kube, beat); // the new custom resources are served now
        }
        stats.time(gr, Date.now() - typeStart);
      }
      stats.lines(tlog);
      tlog.step('restore items', stepStart, { items: done });
      if (cancelled.aborted)
        tlog.warn('Restore cancelled: stopped creating; what was created stays', {
          itemsRestored: done,
          totalItems: total,
        });
      else if (readiness.length > 0)
        tlog.info(`Waiting for ${readiness.length} restored objects to be ready again (bound PVCs, ready pods)`, {
          objects: readiness.length,
        });
      tlog.info(`Restored ${done} of ${total} items`, {
        errors: errors.length,
        warnings: warnings.length,
        duration: duration(Date.now() - started),
      });

      await store.putRestoreItems(spec.name, items);
      await store.putRestoreResults(spec.name, results);
      await store.putRestoreFile(spec.name, 'logs', gzipSync(tlog.text()));
      if (cancelled.aborted) {
        log.info(
          { items: items.length, itemsRestored: done, totalItems: total },
          'restore cancelled: stopped creating',
        );
        throw new CancelledFailure('restore cancelled', [{ totalItems: total, itemsRestored: done, errors, warnings }]);
      }
      log.info({ items: items.length, errors: errors.length }, 'resources restored');
      // The readiness wait adds its result to the log written above.
      if (readiness[0]) readiness[0] = { ...readiness[0], logTo: { restore: spec.name, vault: input.vault } };
      return { totalItems: total, itemsRestored: done, errors, warnings, readiness };
    },

    /** PVCs and pods the restore created must become ready again: else `create cluster resources timeout`, naming them. */
    async waitResourcesReady(input: { checks: ReadinessCheck[]; timeoutMinutes: number }): Promise<void> {
      const started = Date.now();
      const deadline = started + input.timeoutMinutes * 60_000;
      const logTo = input.checks.find((c) => c.logTo)?.logTo;
      // The result goes to the end of the restore's log: ready, timed out (naming what is not), or cancelled.
      const logResult = async (write: (tlog: TaskLog) => void) => {
        if (!logTo) return;
        const tlog = new TaskLog({ restore: logTo.restore });
        write(tlog);
        try {
          await appendRestoreLog(openVault(logTo.vault, deps), logTo.restore, tlog.text());
        } catch (err) {
          deps.logger.warn(
            { err, restore: logTo.restore },
            'the readiness result could not be added to the restore log',
          );
        }
      };
      let pending = input.checks;
      for (;;) {
        const states = await Promise.all(
          pending.map(async (c) => ({ c, ready: await isReady(kube, c).catch(() => false) })),
        );
        pending = states.filter((s) => !s.ready).map((s) => s.c);
        Context.current().heartbeat({ pending: pending.map((c) => c.describe) });
        const waited = { objects: input.checks.length, duration: duration(Date.now() - started) };
        if (pending.length === 0) {
          await logResult((t) => t.info('Restored objects are ready again', waited));
          return;
        }
        if (Date.now() >= deadline) {
          await logResult((t) => {
            t.error('Restored objects did not become ready in time', { ...waited, notReady: pending.length });
            for (const c of pending) t.item('error', 'Not ready', { object: c.describe });
          });
          throw ApplicationFailure.nonRetryable(
            messages.createResourcesTimeout(pending.map((c) => c.describe).join(', ')),
            ErrorCode.CreateResourcesTimeout,
          );
        }
        try {
          await Context.current().sleep(1000);
        } catch (err) {
          if (err instanceof CancelledFailure)
            await logResult((t) => t.warn('Readiness wait cancelled', { ...waited, notReady: pending.length }));
          throw err;
        }
      }
    },
  };
}

export type RestoreClusterActivities = ReturnType<typeof createRestoreClusterActivities>;

/** Adds lines to the end of a restore's log (gzip members concatenate, as `zcat` and Velero's readers accept). */
async function appendRestoreLog(store: BackupStore, restore: string, text: string): Promise<void> {
  const key = store.layout.restoreKey(restore, 'logs');
  const before = await store.objects.get(key);
  await store.objects.put(key, Buffer.concat([before, gzipSync(text)]));
}

function preferredOf(s: StoredObject): KubeObject {
  return s.versions[s.preferred ?? Object.keys(s.versions)[0]!]!;
}

function key(s: StoredObject): string {
  return s.namespace ? `${s.namespace}/${s.name}` : s.name;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function servedVersions(types: ApiResourceType[], group: string, resource: string): ServedVersions | undefined {
  const t = types.find((x) => x.group === group && x.resource === resource);
  return t ? { versions: t.versions, preferred: t.preferredVersion } : undefined;
}

/** A predicate on `resource.group` for include/exclude lists, resolved against the target's discovery, or undefined for "all". */
function resourceFilter(
  names: readonly string[] | undefined,
  types: ApiResourceType[],
): ((gr: string) => boolean) | undefined {
  if (!names || names.length === 0 || names.includes('*'))
    return names === undefined || names.length === 0 ? undefined : () => true;
  const grs = new Set<string>();
  for (const n of names) {
    for (const t of resolveResourceName(n, types)) grs.add(groupResource(t.group, t.resource));
    grs.add(n.toLowerCase()); // a type the target does not serve yet (a CRD in the backup) by its resource.group
  }
  return (gr) => grs.has(gr);
}

/** The object at `path`, or undefined when the API server answers 404. */
async function getIfExists(kube: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await kube.get<KubeObject>(path);
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

/**
 * Creates a Service without the node ports the target cluster holds, retrying while the API
 * server names another taken port (it names one at a time). Returns the Service as created.
 */
async function createWithoutTakenPorts(
  kube: KubeClient,
  collection: string,
  object: KubeObject,
  taken: number[],
): Promise<KubeObject> {
  const dropped = new Set(taken);
  for (;;) {
    try {
      return await kube.request<KubeObject>('POST', collection, { body: withoutNodePorts(object, [...dropped]) });
    } catch (err) {
      const more = clashingNodePorts(errorText(err)).filter((p) => !dropped.has(p));
      if (more.length === 0) throw err;
      for (const p of more) dropped.add(p);
    }
  }
}

async function ensureNamespace(kube: KubeClient, name: string): Promise<void> {
  try {
    await kube.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 409)) throw err;
  }
}

async function waitCrdEstablished(kube: KubeClient, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const crd = await kube
      .get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      )
      .catch(() => undefined);
    if (crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    Context.current().heartbeat({ waitingFor: `CRD ${name} Established` });
    await Context.current().sleep(200);
  }
  throw new Error(`CustomResourceDefinition ${name} did not become Established`);
}

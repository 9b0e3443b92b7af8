import { gzipSync } from 'node:zlib';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { BackupCreate } from '../../domain/backup.js';
import { ErrorCode, messages } from '../../domain/errors.js';
import type { TaskIssue } from '../../domain/task.js';
import type { Logger } from '../../lib/logger.js';
import { labelFilter, type LabelMatcher } from '../../domain/label-selector.js';
import {
  kindMayReferenceClusterObjects,
  mayReferenceClusterObjects,
  requiredClusterRefs,
  resolveResourceName,
  selectionTakes,
  selectNamespaces,
  selectResourceTypes,
  type ResourceSelection,
} from '../../resources/selection.js';
import { groupResource, type ApiResourceType, type KubeObject, type ResourceRef } from '../../resources/types.js';
import { ArchiveWriter } from '../../vault/archive.js';
import { ResourceListBuilder } from '../../vault/resource-list.js';
import { addResult, addTaskResult, emptyResults } from '../../vault/results.js';
import { KubeApiError, resourcePath, type KubeClient } from '../kube/client.js';
import { discoverResources } from '../kube/discovery.js';
import { itemJson, typeMetaPrefix } from './item-json.js';
import { duration, logBackupSelection, referenceReason, TaskLog } from './task-log.js';
import { heartbeatWhile, ProgressReporter, throttledHeartbeat } from '../progress.js';
import { openVault, type VaultAccess } from '../../vault/open.js';
import type { VaultCreate } from '../../domain/vault.js';
import type { ConcurrencyKind } from '../../temporal/activity-options.js';

export interface BackupPlan {
  namespaces: string[];
  selection: ResourceSelection;
  warnings: TaskIssue[];
  errors: TaskIssue[];
  /** The first lines of the backup's log (selection, discovery), which backupResources writes on. */
  log?: string[];
}

export interface BackupTaken {
  itemsBackedUp: number;
  errors: TaskIssue[];
  warnings: TaskIssue[];
}

export interface BackupClusterDeps extends VaultAccess {
  cluster: string;
  kube: KubeClient;
  logger: Logger;
  /** Page size of list calls. */
  pageSize?: number;
}

/** Activities of a backup that run in the cluster's agent. */
export function createBackupClusterActivities(deps: BackupClusterDeps) {
  const { kube } = deps;
  return {
    /** Discovery and selection: which namespaces and types the backup takes. Fails as the FAQ says when no namespace matches. */
    async planBackup(input: {
      spec: BackupCreate;
      ownNamespace: string;
      /** The concurrency slot this work takes (workers/activity-limits.ts). */
      kind?: ConcurrencyKind;
    }): Promise<BackupPlan> {
      const { spec } = input;
      const started = Date.now();
      const plog = new TaskLog({ backup: spec.name });
      plog.info('Setting up backup', { cluster: spec.cluster, vault: spec.vault });
      logBackupSelection(plog, spec);
      const [{ types, failedGroupVersions }, nsList] = await Promise.all([
        discoverResources(kube, throttledHeartbeat()), // slow on clusters with many (aggregated) APIs
        kube.get<{ items: KubeObject[] }>('/api/v1/namespaces'),
      ]);
      const existing = nsList.items.filter((n) => !n.metadata.deletionTimestamp).map((n) => n.metadata.name);
      const namespaces = selectNamespaces(existing, { ...spec, ownNamespace: input.ownNamespace });
      if (namespaces.length === 0)
        throw ApplicationFailure.nonRetryable(messages.noTargetNamespace(), ErrorCode.NoTargetNamespace);
      const selection = selectResourceTypes(types, spec);
      // The Namespace objects of the selected namespaces come along unless excluded by name: a
      // restore recreates them with their labels and annotations (quotas, pod security levels).
      const nsType = types.find((t) => t.group === '' && t.resource === 'namespaces');
      const nsExcluded = resolveNames(spec.excludedResources ?? [], types).has('namespaces');
      if (nsType && !nsExcluded && !selectionTakes(selection, 'namespaces'))
        selection.clusterScopedOnDemand.push(nsType);
      const warnings: TaskIssue[] = selection.unknown.map((name) => ({
        code: ErrorCode.InvalidSpec,
        message: `resource ${name} is not served by cluster ${spec.cluster}`,
        item: name,
      }));
      const errors: TaskIssue[] = failedGroupVersions.map((f) => ({
        code: ErrorCode.ItemFailed,
        message: `discovery of ${f.groupVersion} failed; its resources are not backed up: ${f.message}`,
        item: f.groupVersion,
      }));
      plog.step('discovery', started, { resourceTypes: types.length, namespacesInCluster: existing.length });
      plog.info(`Namespaces selected: ${namespaces.join(', ')}`, { count: namespaces.length });
      for (const s of selection.skipped)
        plog.info('Skipped resource type', { resource: s.groupResource, reason: s.reason });
      for (const w of warnings) plog.warn('Resource not served by the cluster', { resource: w.item });
      for (const f of failedGroupVersions)
        plog.error('Discovery failed: resources of this group version are not backed up', {
          groupVersion: f.groupVersion,
          error: f.message,
        });
      return { namespaces, selection, warnings, errors, log: plog.entries() };
    },

    /**
     * Streams every selected object, in every version its group serves, into `<name>.tar.gz` in
     * the vault, then writes the resource list, results and logs. Memory holds one page of objects
     * and the names of what was taken. A retry (crashed worker) first removes what earlier attempts
     * left staged, then starts over and overwrites their files; the archive's bytes are the same
     * because entry times come from the workflow.
     */
    async backupResources(input: {
      spec: BackupCreate;
      plan: BackupPlan;
      kind?: ConcurrencyKind;
      vault: VaultCreate;
      archiveTime: string;
    }): Promise<BackupTaken> {
      const { spec, plan } = input;
      const activityStart = Date.now();
      const log = deps.logger.child({ backup: spec.name, cluster: deps.cluster });
      const store = openVault(input.vault, deps);
      // An earlier attempt killed mid-upload left its staged bytes; they go before this one writes.
      const swept = await store.discardStaging(spec.name);
      if (swept > 0) log.info({ swept }, "removed earlier attempts' staged uploads");
      const writer = new ArchiveWriter({ mtime: new Date(input.archiveTime) });
      const upload = store.putBackupFile(spec.name, 'contents', writer.stream);
      // An upload that fails first makes the archive fail ("stream closed"): its error says why.
      let uploadFailure: unknown;
      upload.catch((e: unknown) => (uploadFailure = e));

      const results = emptyResults();
      const errors: TaskIssue[] = [...plan.errors];
      // The plan's warnings are already in the workflow's status; only new ones are returned.
      const warnings: TaskIssue[] = [];
      // The log: the plan's lines, then per type a count and time, one line per item skipped or
      // failed and per cluster-scoped object taken along (with why), and the steps' durations.
      const tlog = new TaskLog({ backup: spec.name });
      tlog.append(plan.log ?? []);
      const reasons = new Map<string, string>(); // why a referenced cluster-scoped object is taken, first referrer
      const resourceList = new ResourceListBuilder();
      const progress = new ProgressReporter();
      const namespaces = new Set(plan.namespaces);
      const match: LabelMatcher = labelFilter(spec);
      const byLabel = spec.labelSelector !== undefined || (spec.orLabelSelectors ?? []).length > 0;
      const needed = new Map<string, ResourceRef>();
      const allTypes = [
        ...plan.selection.namespaced,
        ...plan.selection.clusterScoped,
        ...plan.selection.clusterScopedOnDemand,
      ];
      // Only custom resources need the CRD names, to tell which CRDs to take along: listed on first need.
      let crdNames: Promise<string[] | undefined> | undefined;
      const crds = () =>
        (crdNames ??= listNames(kube, 'apiextensions.k8s.io', 'v1', 'customresourcedefinitions').catch(
          () => undefined,
        ));
      // Single objects by name. The Namespaces of the selection are requested at once, so their round
      // trips overlap the listing instead of adding to the end of it.
      const prefetched = new Map<string, Promise<KubeObject>>();
      const prefetch = (t: ApiResourceType, version: string, name: string) => {
        const path = resourcePath(t.group, version, t.resource, undefined, name);
        const got = kube.get<KubeObject>(path);
        got.catch(() => undefined); // surfaced when awaited
        prefetched.set(path, got);
      };
      const getObject = (t: ApiResourceType, version: string, name: string): Promise<KubeObject> => {
        const path = resourcePath(t.group, version, t.resource, undefined, name);
        const got = prefetched.get(path);
        prefetched.delete(path);
        return got ?? kube.get<KubeObject>(path);
      };
      const onDemand = (group: string, resource: string) =>
        plan.selection.clusterScopedOnDemand.find((x) => x.group === group && x.resource === resource);
      const fullTypes = new Set(plan.selection.clusterScoped.map((t) => groupResource(t.group, t.resource)));
      const nsType = onDemand('', 'namespaces');
      if (nsType && !fullTypes.has('namespaces'))
        for (const ns of plan.namespaces) for (const version of nsType.versions) prefetch(nsType, version, ns);
      let taken = 0;
      let estimate = 0;
      // Types named in includedResources get a count line even with 0 items; others only when they had some.
      const named = new Set(
        (spec.includedResources ?? [])
          .filter((n) => n.trim() !== '*')
          .flatMap((n) => resolveResourceName(n, allTypes).map((t) => groupResource(t.group, t.resource))),
      );
      const typeLine = (gr: string, version: string, items: number, startedAt: number) => {
        if (items > 0 || named.has(gr))
          tlog.info('Backed up items', { resource: gr, version, items, duration: duration(Date.now() - startedAt) });
      };

      const fail = (t: ApiResourceType, version: string, namespace: string | undefined, what: string, err: unknown) => {
        const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
        errors.push({ code: ErrorCode.ItemFailed, message, item: `${groupResource(t.group, t.resource)}/${version}` });
        addResult(results.errors, namespace, message);
        tlog.item('error', what, { resource: groupResource(t.group, t.resource), version, error: errorText(err) });
      };
      // `counted`: this version's pass is the one that counts the object (resource list, progress,
      // references): the preferred version, or the next one that could be read when it could not.
      // `json`: the object's JSON as the server sent it, when it can be stored unchanged. Returns a
      // promise only when there is something to wait for: this runs per object, and the activity
      // context's async hooks make every promise cost microseconds.
      const write = (
        t: ApiResourceType,
        version: string,
        obj: KubeObject,
        counted: boolean,
        json?: readonly Buffer[],
      ): Promise<unknown> | undefined => {
        obj.apiVersion = t.group ? `${t.group}/${version}` : version;
        obj.kind = t.kind;
        const ref: ResourceRef = { group: t.group, version, resource: t.resource, name: obj.metadata.name };
        if (t.namespaced && obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
        const options = { preferred: version === t.preferredVersion };
        const written = json ? writer.addObjectJson(ref, json, options) : writer.addObject(ref, obj, options);
        const referenced = counted ? count(t, version, obj, ref) : undefined;
        return written && referenced ? Promise.all([written, referenced]) : (written ?? referenced);
      };
      const count = (t: ApiResourceType, version: string, obj: KubeObject, ref: ResourceRef) => {
        taken++;
        resourceList.add({ group: t.group, version, kind: t.kind, namespace: ref.namespace, name: ref.name });
        if (taken % 100 === 0) progress.report({ totalItems: Math.max(estimate, taken), itemsBackedUp: taken });
        // Namespaces of the selected namespaces are taken anyway; only other references need the full check.
        if (!mayReferenceClusterObjects(obj)) return undefined;
        return crds().then((crdNames) => {
          for (const r of requiredClusterRefs([obj], { types: allTypes, crdNames, selection: plan.selection })) {
            const key = `${groupResource(r.group, r.resource)}/${r.name}`;
            needed.set(key, r);
            if (!reasons.has(key)) reasons.set(key, referenceReason(obj, r));
          }
        });
      };

      // A cancelled backup (learnt at a heartbeat) stops at the next page, version or object it reads.
      const cancellation = Context.current().cancellationSignal;
      const stopIfCancelled = () => {
        if (cancellation.aborted) throw new CancelledFailure('backup cancelled');
      };

      // A whole type, in each served version: namespaced types list cluster-wide and keep the selected namespaces.
      const beat = throttledHeartbeat();
      const takeType = async (t: ApiResourceType) => {
        let countedVersion: string | undefined;
        for (const version of t.versions) {
          stopIfCancelled();
          const before = taken;
          const startedAt = Date.now();
          const counting = countedVersion === undefined;
          const apiVersion = t.group ? `${t.group}/${version}` : version;
          const prefix = typeMetaPrefix(apiVersion, t.kind);
          // The item's head is enough unless its content may name cluster objects the backup must take along.
          const headOnly = !kindMayReferenceClusterObjects(t.group, t.kind);
          try {
            let first = true;
            const path = resourcePath(t.group, version, t.resource);
            const heads = headOnly ? { labels: byLabel } : undefined;
            for await (const batch of kube.listRawItems(path, {}, deps.pageSize ?? 500, heads)) {
              // Batches arrive as the server streams a page: a slow page still heartbeats every second.
              beat({ type: groupResource(t.group, t.resource), version, itemsBackedUp: taken });
              stopIfCancelled();
              for (let i = 0; i < batch.items.length; i++) {
                const raw = batch.items[i]!;
                const head = batch.heads?.[i];
                let json = head && !head.hasSpec ? itemJson(raw, head.object, apiVersion, t.kind, prefix) : undefined;
                let obj: KubeObject;
                if (head && json) {
                  obj = head.object;
                } else {
                  obj = JSON.parse(raw.toString('utf8')) as KubeObject;
                  json = itemJson(raw, obj, apiVersion, t.kind, prefix);
                }
                if (t.namespaced && !namespaces.has(obj.metadata.namespace ?? '')) continue;
                if (!match.matches(obj.metadata.labels ?? {})) continue;
                if (obj.metadata.deletionTimestamp) {
                  if (counting)
                    tlog.item('info', 'Skipped item', {
                      resource: groupResource(t.group, t.resource),
                      namespace: obj.metadata.namespace,
                      name: obj.metadata.name,
                      reason: `being deleted (deletionTimestamp ${obj.metadata.deletionTimestamp})`,
                    });
                  continue;
                }
                const wait = write(t, version, obj, counting, json);
                if (wait) await wait;
              }
              if (!batch.page) continue;
              if (first && counting) estimate += batch.page.itemCount + (batch.page.remainingItemCount ?? 0);
              first = false;
              Context.current().heartbeat({ type: groupResource(t.group, t.resource), version, itemsBackedUp: taken });
            }
            if (counting) countedVersion = version;
          } catch (err) {
            if (err instanceof CancelledFailure) throw err;
            if (counting && taken > before) countedVersion = version; // counted up to the failure; not twice
            fail(t, version, undefined, `list ${groupResource(t.group, t.resource)} ${version} failed`, err);
          }
          if (counting && countedVersion === version)
            typeLine(groupResource(t.group, t.resource), version, taken - before, startedAt);
        }
      };

      try {
        let stepStart = Date.now();
        for (const t of plan.selection.namespaced) await takeType(t);
        tlog.step('namespaced resources', stepStart, { resourceTypes: plan.selection.namespaced.length });
        if (plan.selection.clusterScoped.length > 0) {
          stepStart = Date.now();
          for (const t of plan.selection.clusterScoped) await takeType(t);
          tlog.step('cluster-scoped resources', stepStart, { resourceTypes: plan.selection.clusterScoped.length });
        }

        // Cluster-scoped objects the namespaced ones need, each in every served version.
        stepStart = Date.now();
        for (const ns of plan.namespaces) {
          needed.set(`namespaces/${ns}`, { group: '', version: 'v1', resource: 'namespaces', name: ns });
          reasons.set(`namespaces/${ns}`, 'selected namespace');
        }
        const added = new Map<string, { version: string; items: number; startedAt: number }>();
        for (const key of [...needed.keys()].sort()) {
          beat({ type: 'referenced cluster objects', itemsBackedUp: taken });
          stopIfCancelled();
          const ref = needed.get(key)!;
          const gr = groupResource(ref.group, ref.resource);
          if (fullTypes.has(gr)) continue;
          const t = onDemand(ref.group, ref.resource);
          if (!t) continue;
          let counted = false;
          const typeStats = added.get(gr) ?? { version: t.preferredVersion, items: 0, startedAt: Date.now() };
          added.set(gr, typeStats);
          for (const version of t.versions) {
            try {
              await write(t, version, await getObject(t, version, ref.name), !counted);
              if (!counted) {
                typeStats.items++;
                // Namespaces of the selection are named in the plan's lines; the rest say who needs them.
                if (gr !== 'namespaces')
                  tlog.info('Added cluster-scoped item needed by backed-up items', {
                    resource: gr,
                    name: ref.name,
                    reason: reasons.get(key),
                  });
              }
              counted = true;
            } catch (err) {
              if (err instanceof KubeApiError && err.status === 404) {
                if (version === t.preferredVersion) {
                  const message = `${gr} ${ref.name} is referenced by backed-up items but does not exist`;
                  warnings.push({ code: ErrorCode.ItemFailed, message, item: `${gr}/${ref.name}` });
                  addResult(results.warnings, undefined, message);
                  tlog.item('warning', 'Referenced cluster-scoped item does not exist', {
                    resource: gr,
                    name: ref.name,
                    reason: reasons.get(key),
                  });
                }
                break;
              }
              fail(t, version, undefined, `get ${gr} ${ref.name} ${version} failed`, err);
            }
          }
        }
        for (const [gr, a] of [...added].sort(([x], [y]) => x.localeCompare(y)))
          typeLine(gr, a.version, a.items, a.startedAt);
        tlog.step('referenced cluster-scoped items', stepStart, { items: needed.size });
        stopIfCancelled();
        progress.report({ totalItems: taken, itemsBackedUp: taken });
      } catch (err) {
        const uploadFailedFirst = uploadFailure;
        writer.abort(err instanceof Error ? err : new Error(String(err)));
        await upload.catch(() => undefined);
        if (!(err instanceof CancelledFailure)) throw uploadFailedFirst ?? err;
        // Cancelled: what this attempt staged goes now; the workflow's discard after it finds nothing left.
        await store
          .cleanupPartial(spec.name)
          .catch((cleanupErr: unknown) =>
            log.warn({ err: cleanupErr }, 'staged files of the cancelled backup could not be removed'),
          );
        log.info({ itemsBackedUp: taken }, 'backup cancelled: stopped reading, staged files removed');
        throw new CancelledFailure('backup cancelled', [{ itemsBackedUp: taken }]);
      }

      for (const w of plan.warnings) addTaskResult(results.warnings, w.message);
      // Everything is known: the small files are written while the archive's last members compress
      // and reach the disk; the log last, with the upload's time. Should the archive fail, the
      // workflow discards the lot.
      const uploadStart = Date.now();
      await heartbeatWhile(
        Promise.all([
          writer.finish().then(
            () => upload,
            (e: unknown) => Promise.reject(uploadFailure ?? e),
          ),
          store.putResourceList(spec.name, resourceList.build()),
          store.putResults(spec.name, results),
        ]).then(() => {
          tlog.step('upload', uploadStart, { vault: input.vault.name });
          tlog.info(`Backed up a total of ${taken} items`, {
            items: taken,
            errors: errors.length,
            warnings: plan.warnings.length + warnings.length,
            duration: duration(Date.now() - activityStart),
          });
          return store.putBackupFile(spec.name, 'logs', gzipSync(tlog.text()));
        }),
        { type: 'finishing the archive', itemsBackedUp: taken },
      );
      log.info({ itemsBackedUp: taken, errors: errors.length }, 'resources backed up');
      return { itemsBackedUp: taken, errors, warnings };
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function resolveNames(names: readonly string[], types: ApiResourceType[]): Set<string> {
  return new Set(names.flatMap((n) => resolveResourceName(n, types).map((t) => groupResource(t.group, t.resource))));
}

async function listNames(kube: KubeClient, group: string, version: string, resource: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of kube.listPages<KubeObject>(resourcePath(group, version, resource))) {
    for (const o of page.items) names.push(o.metadata.name);
  }
  return names;
}

export type BackupClusterActivities = ReturnType<typeof createBackupClusterActivities>;

// StatefulSets: their volumeClaimTemplates get the same storageClassMapping and 20 GiB disk
// minimum as PVCs, so replicas added after the restore match the restored claims (Velero's
// ChangeStorageClassAction covers statefulsets too).

import type { ActionResult, RestoreAction } from './types.js';
import { describe, getArray, getObject, isObject } from './util.js';
import { mapStorageClass, provisionerOf, raiseDiskSize } from './volumes.js';

export const statefulSetAction: RestoreAction = ({ object, ctx }): ActionResult => {
  const warnings: string[] = [];
  const templates = getArray(object, 'spec', 'volumeClaimTemplates') ?? [];
  for (const tpl of templates) {
    if (!isObject(tpl)) continue;
    const t = tpl as { metadata?: { name?: string; annotations?: Record<string, string> }; spec?: unknown };
    const what = `${describe(object)} volumeClaimTemplate ${t.metadata?.name ?? '?'}`;
    const mapped = mapStorageClass(t, ctx);
    if (mapped.error) return { object, error: `${what}: ${mapped.error}` };
    const raised = raiseDiskSize(
      getObject(t, 'spec', 'resources', 'requests'),
      'storage',
      provisionerOf(t, ctx, !!mapped.changed),
      ctx,
      what,
    );
    if (raised.error) return { object, error: raised.error };
    if (raised.warning) warnings.push(raised.warning);
  }
  return { object, warnings };
};

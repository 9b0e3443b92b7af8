// Jobs (Velero's JobAction, plus skipping finished Jobs as Velero's restore does):
//  - the API server generates a Job's selector from its own uid (`controller-uid`, since 1.27
//    `batch.kubernetes.io/controller-uid`) and labels the pod template with it; the backed-up
//    values name the old uid, so they are removed and a generated selector is dropped entirely
//    (regenerated on create). With `manualSelector: true` the user's selector stays.
//  - a finished Job (completionTime, or a Complete/Failed condition) is not restored.

import type { ActionResult, RestoreAction } from './types.js';
import { deleteKey, getArray, getObject, getString, isObject } from './util.js';

export const CONTROLLER_UID_LABELS: readonly string[] = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

function finished(original: unknown): string | undefined {
  if (getString(original, 'status', 'completionTime')) return 'the job has completed';
  for (const c of getArray(original, 'status', 'conditions') ?? []) {
    if (isObject(c) && c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed'))
      return `the job has finished (condition ${String(c.type)})`;
  }
  return undefined;
}

export const jobAction: RestoreAction = ({ object, original }): ActionResult => {
  const done = finished(original);
  if (done) return { object, skip: true, reason: done };
  const spec = getObject(object, 'spec');
  if (!spec) return { object };

  const selector = getObject(spec, 'selector');
  if (spec.manualSelector === true) {
    for (const l of CONTROLLER_UID_LABELS) deleteKey(selector, 'matchLabels', l);
  } else {
    delete spec.selector;
  }
  const templateMeta = getObject(spec, 'template', 'metadata');
  for (const l of CONTROLLER_UID_LABELS) deleteKey(templateMeta, 'labels', l);
  return { object };
};

// Strips what the source cluster's API server wrote, so the object can be created anew.
// ownerReferences are owned.ts's business.

import type { KubeObject } from '../resources/types.js';

/** metadata fields assigned by the server (Velero's resetMetadata list, plus managedFields). */
export const SERVER_METADATA_FIELDS: readonly string[] = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  // Ignored when `name` is set, and the name is what the backup recorded.
  'generateName',
];

/** Removes server-assigned metadata and `status` in place; returns the object. */
export function cleanup(obj: KubeObject): KubeObject {
  for (const field of SERVER_METADATA_FIELDS) delete obj.metadata[field];
  delete obj.status;
  return obj;
}

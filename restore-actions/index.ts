// Restore transforms, pure: imported by workflows and activities alike. YAML input for resource
// modifiers lives in ./resource-modifiers-yaml.js, deliberately not re-exported here (the `yaml`
// package's Node build cannot go into a Temporal workflow bundle).

export type {
  ActionInput,
  ActionResult,
  ImageChange,
  PrepareResult,
  RestoreAction,
  RestoreContext,
  RestoreOptions,
  VolumeDataSource,
} from './types.js';
export { ACTIONS, builtInGroupResource, prepareForRestore } from './pipeline.js';
export {
  compareRestoreOrder,
  HIGH_PRIORITIES,
  LOW_PRIORITIES,
  NEVER_RESTORED,
  neverRestoreReason,
  OWN_OBJECT_LABEL,
  sortForRestore,
  waitConditionFor,
  type RestorePriority,
} from './priorities.js';
export { cleanup, SERVER_METADATA_FIELDS } from './cleanup.js';
export { checkOwnership, KEPT_WHEN_OWNED, type OwnedResult } from './owned.js';
export { applyNamespaceMapping, mapNamespace } from './namespace-mapping.js';
export {
  clashingNodePorts,
  nodePortsTakenError,
  reassignedNodePorts,
  reassignedNodePortsWarning,
  serviceAction,
  serviceForExisting,
  withoutNodePorts,
  type NodePortChange,
} from './service.js';
export { podAction, dropServiceAccountTokenVolumes } from './pod.js';
export { jobAction } from './job.js';
export { pvcAction } from './pvc.js';
export { pvAction } from './pv.js';
export { statefulSetAction } from './statefulset.js';
export { DEFAULT_DISK_PROVISIONERS, DEFAULT_MIN_DISK_SIZE, pvDisposition, type PvDisposition } from './volumes.js';
export {
  applyImageMappings,
  applyRegistryMapping,
  mapImage,
  normalizeImage,
  parseImageMapping,
  parseImageReference,
  type ImageMappings,
} from './image-mapping.js';
export {
  applyResourceModifiers,
  parseResourceModifiers,
  resourceModifiersSchema,
  ResourceModifiersSchema,
  type ParseResult,
  type TextParser,
  type ResourceModifierRule,
  type ResourceModifiers,
} from './resource-modifiers.js';
export { applyJsonPatch, applyMergePatch, JsonPatchError, strategicMerge, type PatchOperation } from './json-patch.js';

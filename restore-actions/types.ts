// The shapes shared by the restore actions. Everything here is plain data so it can cross a
// Temporal activity/workflow boundary (no Maps or Sets required: arrays are accepted too).

import type { KubeObject } from '../resources/types.js';
import type { ResourceModifiers } from './resource-modifiers.js';

/** How a PV's data is in the backup. */
export type VolumeDataSource = 'snapshot' | 'filesystem';

export interface RestoreOptions {
  /** Provisioners whose volumes are cloud disks with a minimum size; default `diskplugin.csi.alibabacloud.com`. */
  diskProvisioners?: readonly string[];
  /** The minimum disk size; default `20Gi` (FAQ "default changes": Change 1). */
  minDiskSize?: string;
  /** Labels added to every restored object's metadata (e.g. the restore and backup names). */
  restoreLabels?: Readonly<Record<string, string>>;
}

export interface RestoreContext {
  /** `{"<backup namespace>": "<target namespace>"}` */
  namespaceMapping?: Readonly<Record<string, string>>;
  /** `{"<backup class>": "<target class>"}` */
  storageClassMapping?: Readonly<Record<string, string>>;
  /** `{"docker.io/library/": "registry.example.com/my/"}` */
  imageRegistryMapping?: Readonly<Record<string, string>>;
  /** The FAQ's cases: `{"case1": "app1:v1,app2:v2"}` */
  imageMapping?: Readonly<Record<string, string>>;
  /**
   * undefined (default): NodePorts kept (FAQ), an auto-assigned healthCheckNodePort dropped;
   * true: both kept; false: Velero's behaviour, auto-assigned NodePorts dropped too.
   */
  preserveNodePorts?: boolean;
  /** false: PV data in the backup is not restored (volumes are treated as having none). Default true. */
  restorePVs?: boolean;
  /**
   * Access modes every restored PVC asks for instead of its own (e.g. a ReadWriteMany NAS claim
   * restored onto a disk class that only offers ReadWriteOnce; FAQ "accessMode of PVC xxx is xxx").
   */
  convertToAccessModes?: readonly string[];
  /**
   * The backup uids of every object this restore takes, whether it creates it or its owner
   * recreates it. An object whose controller is among them is left to that controller.
   */
  restoredUids?: ReadonlySet<string> | readonly string[];
  /** The PVs in the backup, by name, for the PVC action to see the reclaim policy of its volume. */
  persistentVolumes?: Readonly<Record<string, KubeObject>>;
  /** PV name -> how its data is in the backup; PVs not listed have no data backup. */
  volumeData?: Readonly<Record<string, VolumeDataSource>>;
  /** StorageClass name -> provisioner (target cluster, else backup), to recognise disk volumes. */
  storageClassProvisioners?: Readonly<Record<string, string>>;
  /** StorageClasses that exist in the target cluster; when given, a mapping to another is an error. */
  targetStorageClasses?: readonly string[];
  /** Parsed resource modifiers (see parseResourceModifiers). */
  resourceModifiers?: ResourceModifiers;
  options?: RestoreOptions;
}

export interface ActionInput {
  /** The working copy; an action may change it in place and return it. */
  object: KubeObject;
  /** The object as it is in the backup (status, managedFields, ownerReferences intact). Do not modify. */
  original: KubeObject;
  /** `resource.group` (`services`, `jobs.batch`). */
  groupResource: string;
  ctx: RestoreContext;
}

export interface ActionResult {
  object: KubeObject;
  warnings?: string[];
  /** The object is not created; `reason` says why. */
  skip?: boolean;
  reason?: string;
  /** The object cannot be restored as asked; the item fails with this message. */
  error?: string;
}

export type RestoreAction = (input: ActionInput) => ActionResult;

export interface ImageChange {
  /** JSON path of the image field, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  from: string;
  to: string;
}

export interface PrepareResult {
  object: KubeObject;
  warnings: string[];
  skip?: boolean;
  reason?: string;
  error?: string;
  /** Images changed by imageRegistryMapping / imageMapping. */
  changedImages: ImageChange[];
  /** How many resource modifier rules patched the object. */
  modifiersApplied: number;
}

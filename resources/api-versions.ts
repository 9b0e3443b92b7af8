// Which API version to restore an object in. A backup stores every version the source cluster
// served for the object's group (the preferred one marked); the target cluster serves its own
// set. Pure: no I/O.

interface KubeVersion {
  major: number;
  /** 3 = GA, 2 = beta, 1 = alpha */
  level: number;
  minor: number;
}

const KUBE_VERSION = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;

function parseKubeVersion(v: string): KubeVersion | undefined {
  const m = KUBE_VERSION.exec(v);
  if (!m) return undefined;
  const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return { major: Number(m[1]), level, minor: m[3] === undefined ? 0 : Number(m[3]) };
}

/** True for versions of the Kubernetes form `v<N>[alpha|beta<M>]`. */
export function isKubeVersion(v: string): boolean {
  return parseKubeVersion(v) !== undefined;
}

/**
 * Kubernetes version priority (apimachinery's CompareKubeAwareVersionStrings): GA > beta > alpha,
 * then higher major, then higher minor; `v2 > v1 > v1beta2 > v1beta1 > v1alpha1`. Versions not of
 * the Kubernetes form rank below all that are, among themselves in ascending string order.
 * Returns > 0 when `a` has the higher priority, < 0 when `b` has, 0 when equal.
 */
export function compareVersionPriority(a: string, b: string): number {
  const va = parseKubeVersion(a);
  const vb = parseKubeVersion(b);
  if (va && vb) {
    if (va.level !== vb.level) return va.level - vb.level;
    if (va.major !== vb.major) return va.major - vb.major;
    return va.minor - vb.minor;
  }
  if (va) return 1;
  if (vb) return -1;
  return a < b ? 1 : a > b ? -1 : 0;
}

/** The versions, highest priority first (a new array). */
export function sortByVersionPriority(versions: readonly string[]): string[] {
  return [...versions].sort((x, y) => compareVersionPriority(y, x));
}

export interface StoredVersions {
  /** The versions stored in the backup for the object's group. */
  versions: readonly string[];
  /** The source cluster's preferred version (`<version>-preferredversion` in the archive). */
  preferred?: string;
}

export interface ServedVersions {
  versions: readonly string[];
  preferred: string;
}

export interface VersionRequest {
  group: string;
  /** Plural resource, for the message (`ingresses`). */
  resource: string;
  stored: StoredVersions;
  /** What the target cluster serves for the group; undefined when it does not serve the group. */
  served: ServedVersions | undefined;
  /** Versions the user ranks first (Velero's `enableapigroupversions` priority 0). */
  userPriority?: readonly string[];
}

export type VersionChoice =
  | { version: string; reason: 'user-priority' | 'target-preferred' | 'common-highest'; error?: undefined }
  | { version: null; code: 'NoCommonApiVersion'; error: string };

function gv(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * Picks the version to restore in:
 *  0. the first of `userPriority` that both sides have;
 *  1. the target's preferred version, if the backup has it;
 *  2. else the highest-priority version both have;
 *  3. else none: the resource must be deployed by hand (the FAQ's Ingress example — backed up as
 *     networking.k8s.io/v1beta1, a 1.22+ cluster serves only networking.k8s.io/v1).
 */
export function chooseRestoreVersion(req: VersionRequest): VersionChoice {
  const { group, resource, stored, served } = req;
  const what = group ? `${resource}.${group}` : resource;
  const storedList = sortByVersionPriority(stored.versions).map((v) => gv(group, v));
  if (!served || served.versions.length === 0) {
    return {
      version: null,
      code: 'NoCommonApiVersion',
      error:
        `no API version of ${what} is served by both clusters: the backup holds ${storedList.join(', ') || 'none'}, ` +
        `the target cluster does not serve the API group ${group || 'core'}; deploy the resource manually`,
    };
  }
  const have = new Set(stored.versions);
  for (const v of req.userPriority ?? []) {
    if (have.has(v) && served.versions.includes(v)) return { version: v, reason: 'user-priority' };
  }
  if (have.has(served.preferred)) return { version: served.preferred, reason: 'target-preferred' };
  const common = sortByVersionPriority(stored.versions.filter((v) => served.versions.includes(v)));
  const best = common[0];
  if (best !== undefined) return { version: best, reason: 'common-highest' };
  const servedList = sortByVersionPriority(served.versions).map((v) => gv(group, v));
  return {
    version: null,
    code: 'NoCommonApiVersion',
    error:
      `no API version of ${what} is served by both clusters: the backup holds ${storedList.join(', ') || 'none'}, ` +
      `the target cluster serves ${servedList.join(', ')}; deploy the resource manually`,
  };
}

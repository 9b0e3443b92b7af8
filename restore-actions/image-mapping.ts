// Image changes on restore (FAQ "How do I change the image of an application when I restore the
// application from a backup file?"):
//  - imageRegistryMapping: registry/repository prefixes, `{"docker.io/library/": "registry.example.com/my/"}`.
//    Images are normalised for matching the way Docker does: `nginx` and `app1:v1` are
//    `docker.io/library/nginx`, `docker.io/library/app1:v1`; `index.docker.io` is `docker.io`.
//  - imageMapping: the FAQ's cases `{"case1": "<old>,<new>"}` in four forms:
//      repository and tag  `app1:v1,app2:v2`   docker.io/library/app1:v1 -> docker.io/library/app2:v2
//      repository only     `app1,app2`         docker.io/library/app1:v1 -> docker.io/library/app2:v1
//      tag only            `v1:v2`             docker.io/library/app1:v1 -> docker.io/library/app1:v2
//      full reference      `docker.io/library/app1:v1,registry.cn-beijing.aliyuncs.com/my-registry/app2:v2`
//    A name without `/` matches the last path component of any repository and replaces only that
//    component; a name with `/` matches (normalised) and replaces the whole repository. Cases are
//    tried in natural key order (case1, case2, case10) and the first that matches applies.
//    imageMapping applies before imageRegistryMapping, so full references match the backup's images.
// Applied to containers, initContainers and ephemeralContainers of Pods and of the pod templates of
// Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs and CronJobs.

import { type KubeObject, parseApiVersion } from '../resources/types.js';
import type { ImageChange } from './types.js';
import { getArray, getObject, isObject, naturalCompare } from './util.js';

export interface ImageReference {
  /** As written: `registry.example.com:5000`, or '' when the image names none. */
  domain: string;
  /** As written, without domain: `library/nginx`, `nginx`, `team/app`. */
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits an image reference into its parts, without normalising. */
export function parseImageReference(image: string): ImageReference {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let domain = '';
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      rest = rest.slice(slash + 1);
    }
  }
  const ref: ImageReference = { domain, path: rest };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `docker.io/library/nginx` for `nginx`: the repository as Docker normalises it. */
export function normalizedRepository(ref: ImageReference): string {
  let domain = ref.domain === '' || ref.domain === 'index.docker.io' ? 'docker.io' : ref.domain;
  if (domain === 'registry-1.docker.io') domain = 'docker.io';
  const path = domain === 'docker.io' && !ref.path.includes('/') ? `library/${ref.path}` : ref.path;
  return `${domain}/${path}`;
}

function suffix(ref: Pick<ImageReference, 'tag' | 'digest'>): string {
  return `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The fully normalised reference: `nginx` -> `docker.io/library/nginx`, `app1:v1` -> `docker.io/library/app1:v1`. */
export function normalizeImage(image: string): string {
  const ref = parseImageReference(image);
  return normalizedRepository(ref) + suffix(ref);
}

function formatRef(ref: ImageReference): string {
  return (ref.domain ? `${ref.domain}/` : '') + ref.path + suffix(ref);
}

// ---------------------------------------------------------------------------------------------
// imageRegistryMapping
// ---------------------------------------------------------------------------------------------

/** The image with the longest matching prefix replaced, or undefined when no prefix matches. */
export function applyRegistryMapping(
  image: string,
  mapping: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (!mapping) return undefined;
  const normalized = normalizeImage(image);
  let best: string | undefined;
  for (const key of Object.keys(mapping)) {
    if (key === '') continue;
    for (const candidate of [normalized, image]) {
      if (!candidate.startsWith(key)) continue;
      // A prefix without a trailing '/' must end at a component boundary: `docker.io` must not match `docker.iox/...`.
      const next = candidate.charAt(key.length);
      if (!key.endsWith('/') && next !== '' && next !== '/' && next !== ':' && next !== '@') continue;
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  if (best === undefined) return undefined;
  const base = normalized.startsWith(best) ? normalized : image;
  return (mapping[best] ?? '') + base.slice(best.length);
}

// ---------------------------------------------------------------------------------------------
// imageMapping cases
// ---------------------------------------------------------------------------------------------

interface RefPattern {
  qualified: boolean;
  /** Repository as written (`app1`, `registry.x/my/app2`). */
  repository: string;
  tag?: string;
  digest?: string;
}

export type ImageCase =
  | { key: string; kind: 'tag'; fromTag: string; toTag: string }
  | { key: string; kind: 'reference'; from: RefPattern; to: RefPattern };

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function parsePattern(s: string): RefPattern | undefined {
  if (s === '' || /\s/.test(s)) return undefined;
  const ref = parseImageReference(s);
  if (ref.path === '' || (ref.tag !== undefined && !TAG.test(ref.tag))) return undefined;
  const qualified = s.includes('/');
  const p: RefPattern = { qualified, repository: (ref.domain ? `${ref.domain}/` : '') + ref.path };
  if (ref.tag !== undefined) p.tag = ref.tag;
  if (ref.digest !== undefined) p.digest = ref.digest;
  return p;
}

/** Parses the imageMapping cases; errors name the case key, as `imageMapping.<key>`. */
export function parseImageMapping(mapping: Readonly<Record<string, string>>): {
  cases: ImageCase[];
  errors: Array<{ path: string; message: string }>;
} {
  const cases: ImageCase[] = [];
  const errors: Array<{ path: string; message: string }> = [];
  for (const key of Object.keys(mapping).sort(naturalCompare)) {
    const raw = mapping[key];
    const value = typeof raw === 'string' ? raw.trim() : '';
    const path = `imageMapping.${key}`;
    const comma = value.indexOf(',');
    if (comma < 0) {
      const [fromTag, toTag, extra] = value.split(':');
      if (fromTag !== undefined && toTag !== undefined && extra === undefined && TAG.test(fromTag) && TAG.test(toTag)) {
        cases.push({ key, kind: 'tag', fromTag, toTag });
      } else {
        errors.push({
          path,
          message: `${JSON.stringify(raw)} is none of "<old image>,<new image>" (e.g. "app1:v1,app2:v2", "app1,app2") or "<old tag>:<new tag>" (e.g. "v1:v2")`,
        });
      }
      continue;
    }
    const from = parsePattern(value.slice(0, comma).trim());
    const to = parsePattern(value.slice(comma + 1).trim());
    if (!from || !to) {
      errors.push({
        path,
        message: `${JSON.stringify(raw)}: ${!from ? 'the old' : 'the new'} image is not a valid image reference`,
      });
      continue;
    }
    cases.push({ key, kind: 'reference', from, to });
  }
  return { cases, errors };
}

function lastComponent(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function applyCase(image: string, c: ImageCase): string | undefined {
  const ref = parseImageReference(image);
  const effectiveTag = ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
  if (c.kind === 'tag') {
    if (effectiveTag !== c.fromTag) return undefined;
    const out: ImageReference = { domain: ref.domain, path: ref.path, tag: c.toTag };
    return formatRef(out);
  }
  const { from, to } = c;
  const repoMatches = from.qualified
    ? normalizedRepository(parseImageReference(from.repository)) === normalizedRepository(ref)
    : lastComponent(ref.path) === from.repository;
  if (!repoMatches) return undefined;
  if (from.tag !== undefined && effectiveTag !== from.tag) return undefined;
  if (from.digest !== undefined && ref.digest !== from.digest) return undefined;

  let out: ImageReference;
  if (to.qualified) {
    const toRef = parseImageReference(to.repository);
    out = { domain: toRef.domain, path: toRef.path };
  } else {
    const slash = ref.path.lastIndexOf('/');
    out = { domain: ref.domain, path: (slash >= 0 ? ref.path.slice(0, slash + 1) : '') + to.repository };
  }
  if (to.tag !== undefined || to.digest !== undefined) {
    // A digest pins the old content; a new tag or digest replaces it.
    if (to.tag !== undefined) out.tag = to.tag;
    if (to.digest !== undefined) out.digest = to.digest;
  } else {
    if (ref.tag !== undefined) out.tag = ref.tag;
    if (ref.digest !== undefined) out.digest = ref.digest;
  }
  return formatRef(out);
}

export interface ImageMappings {
  imageRegistryMapping?: Readonly<Record<string, string>>;
  imageMapping?: Readonly<Record<string, string>>;
}

/** The new image, or undefined when no mapping applies (or the result is the same image). */
export function mapImage(image: string, m: ImageMappings, cases?: readonly ImageCase[]): string | undefined {
  let current = image;
  for (const c of cases ?? parseImageMapping(m.imageMapping ?? {}).cases) {
    const next = applyCase(current, c);
    if (next !== undefined) {
      current = next;
      break;
    }
  }
  const viaRegistry = applyRegistryMapping(current, m.imageRegistryMapping);
  if (viaRegistry !== undefined) current = viaRegistry;
  return current === image ? undefined : current;
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

const TEMPLATE_KINDS: Record<string, string> = {
  'apps/Deployment': 'spec.template.spec',
  'apps/StatefulSet': 'spec.template.spec',
  'apps/DaemonSet': 'spec.template.spec',
  'apps/ReplicaSet': 'spec.template.spec',
  '/ReplicationController': 'spec.template.spec',
  'batch/Job': 'spec.template.spec',
  'batch/CronJob': 'spec.jobTemplate.spec.template.spec',
  '/Pod': 'spec',
};

/** Where the object's pod spec is (`spec.template.spec`), or undefined for kinds without one. */
export function podSpecPath(obj: KubeObject): string | undefined {
  const { group } = parseApiVersion(obj.apiVersion);
  return TEMPLATE_KINDS[`${group}/${obj.kind}`];
}

/** Rewrites every container image of the object in place; returns what changed. */
export function applyImageMappings(obj: KubeObject, m: ImageMappings): ImageChange[] {
  const changes: ImageChange[] = [];
  const path = podSpecPath(obj);
  if (!path) return changes;
  const hasRegistry = m.imageRegistryMapping && Object.keys(m.imageRegistryMapping).length > 0;
  const hasCases = m.imageMapping && Object.keys(m.imageMapping).length > 0;
  if (!hasRegistry && !hasCases) return changes;
  const cases = parseImageMapping(m.imageMapping ?? {}).cases;
  const podSpec = getObject(obj, ...path.split('.'));
  if (!podSpec) return changes;
  for (const field of ['containers', 'initContainers', 'ephemeralContainers']) {
    (getArray(podSpec, field) ?? []).forEach((c, i) => {
      if (!isObject(c) || typeof c.image !== 'string') return;
      const to = mapImage(c.image, m, cases);
      if (to === undefined) return;
      changes.push({ path: `${path}.${field}[${i}].image`, from: c.image, to });
      c.image = to;
    });
  }
  return changes;
}

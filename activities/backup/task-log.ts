// The log a backup or restore leaves in the vault (`<backup>-logs.gz`, `restore-<name>-logs.gz`),
// in logrus's text format as Velero writes those files, so an operator used to `velero backup logs`
// reads it the same way: `time="…" level=info msg="…" key=value …`, the fields sorted by key.
// Pure string work; the activities decide what to say.

import type { KubeObject, ResourceRef } from '../../resources/types.js';
import { groupResource } from '../../resources/types.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A value as logrus's TextFormatter prints it: bare when it is made of safe characters, else Go-quoted. */
export function logValue(value: string): string {
  return value !== '' && /^[A-Za-z0-9\-._/@^+]+$/.test(value) ? value : JSON.stringify(value);
}

/** One line: `time="…" level=… msg=… k=v …` (fields after msg sorted by key; undefined ones left out). */
export function logLine(time: Date, level: LogLevel, msg: string, fields: LogFields = {}): string {
  const parts = [`time=${JSON.stringify(time.toISOString())}`, `level=${level}`, `msg=${logValue(msg)}`];
  for (const key of Object.keys(fields).sort()) {
    const v = fields[key];
    if (v !== undefined) parts.push(`${key}=${logValue(String(v))}`);
  }
  return parts.join(' ');
}

/** A duration as Go prints a time.Duration rounded to milliseconds: `0s`, `12ms`, `1.234s`. */
export function duration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole === 0) return '0s';
  if (whole < 1000) return `${whole}ms`;
  return `${(whole / 1000).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** A list for a log line, `<none>` when empty (as Velero prints an empty include/exclude list). */
export function listValue(values: readonly string[] | undefined, empty = '<none>'): string {
  return values && values.length > 0 ? values.join(', ') : empty;
}

/**
 * The lines of one task's log. Lines about single items (skipped, failed, warned) are capped so a
 * run with a million failures still leaves a readable file; the cap's overflow is counted in a
 * last line. Backed-up or created items get no line of their own, only counts per type.
 */
export class TaskLog {
  private readonly lines: string[] = [];
  private itemLines = 0;
  private notLogged = 0;

  constructor(
    private readonly base: LogFields = {},
    private readonly maxItemLines = 10_000,
    private readonly now: () => Date = () => new Date(),
  ) {}

  line(level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.lines.push(logLine(this.now(), level, msg, { ...this.base, ...fields }));
  }

  info(msg: string, fields?: LogFields): void {
    this.line('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.line('warning', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.line('error', msg, fields);
  }

  /** A line about one item; past the cap only counted. */
  item(level: LogLevel, msg: string, fields: LogFields): void {
    if (this.itemLines >= this.maxItemLines) {
      this.notLogged++;
      return;
    }
    this.itemLines++;
    this.line(level, msg, fields);
  }

  /** A step that ended now, started at `startedAt` (Date.now() then). */
  step(name: string, startedAt: number, fields: LogFields = {}): void {
    this.info(`Finished step ${name}`, { ...fields, step: name, duration: duration(Date.now() - startedAt) });
  }

  /** Lines written elsewhere (an earlier activity of the same task), as they are. */
  append(lines: readonly string[]): void {
    this.lines.push(...lines);
  }

  /** The lines so far, without the overflow line. */
  entries(): string[] {
    return [...this.lines];
  }

  text(): string {
    const out = [...this.lines];
    if (this.notLogged > 0)
      out.push(
        logLine(
          this.now(),
          'warning',
          `${this.notLogged} more item lines were not logged (at most ${this.maxItemLines})`,
          {
            ...this.base,
          },
        ),
      );
    return out.length === 0 ? '' : out.join('\n') + '\n';
  }
}

/** `<ns>/<name>` or `<name>`. */
export function objectName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

const REFERENCE_FIELDS: Record<string, string> = {
  persistentvolumes: 'spec.volumeName',
  'storageclasses.storage.k8s.io': 'spec.storageClassName',
  'clusterroles.rbac.authorization.k8s.io': 'roleRef',
  'ingressclasses.networking.k8s.io': 'spec.ingressClassName',
  'priorityclasses.scheduling.k8s.io': 'priorityClassName',
};

/**
 * Why a cluster-scoped object was added to a backup: which field of which backed-up object names
 * it (`spec.storageClassName of PersistentVolumeClaim shop/data`).
 */
export function referenceReason(referrer: KubeObject, ref: Pick<ResourceRef, 'group' | 'resource'>): string {
  const gr = groupResource(ref.group, ref.resource);
  const who = `${referrer.kind} ${objectName(referrer.metadata.namespace, referrer.metadata.name)}`;
  if (gr === 'namespaces') return `namespace of ${who}`;
  if (gr === 'customresourcedefinitions.apiextensions.k8s.io') return `defines the kind of ${who}`;
  const field = REFERENCE_FIELDS[gr];
  return field ? `${field} of ${who}` : `referenced by ${who}`;
}

/** A label selector as typed: its string form, or the object as JSON. */
export function selectorText(selector: unknown): string {
  return typeof selector === 'string' ? selector : JSON.stringify(selector);
}

/** What a backup's spec selects, in Velero's words ("Including namespaces: *"). */
export function logBackupSelection(
  log: TaskLog,
  spec: {
    includedNamespaces?: readonly string[];
    excludedNamespaces?: readonly string[];
    includedResources?: readonly string[];
    excludedResources?: readonly string[];
    labelSelector?: unknown;
    orLabelSelectors?: readonly unknown[];
    includeClusterResources?: boolean;
  },
): void {
  log.info(`Including namespaces: ${listValue(spec.includedNamespaces, '*')}`);
  log.info(`Excluding namespaces: ${listValue(spec.excludedNamespaces)}`);
  log.info(`Including resources: ${listValue(spec.includedResources, '*')}`);
  log.info(`Excluding resources: ${listValue(spec.excludedResources)}`);
  const selectors =
    spec.labelSelector !== undefined
      ? [selectorText(spec.labelSelector)]
      : (spec.orLabelSelectors ?? []).map(selectorText);
  log.info(`Label selector: ${selectors.length > 0 ? selectors.join(' OR ') : '<none>'}`);
  const clusterResources =
    spec.includeClusterResources === undefined
      ? 'auto (only those the selected items need)'
      : String(spec.includeClusterResources);
  log.info(`Include cluster resources: ${clusterResources}`);
}

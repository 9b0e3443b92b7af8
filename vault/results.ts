// `<backup>-results.gz` and `restore-<restore>-results.gz`: Velero's warnings and errors of a task,
// `{"errors": Result, "warnings": Result}` (pkg/util/results/result.go; the keys are those of
// map[string]results.Result that the backup and restore controllers persist). Pure.

import { z } from 'zod';

/** Messages about Velero (here: the backup center) itself, cluster-scoped items, and per namespace. */
export interface Result {
  velero?: string[];
  cluster?: string[];
  namespaces?: Record<string, string[]>;
}

export interface Results {
  errors: Result;
  warnings: Result;
}

export function emptyResults(): Results {
  return { errors: {}, warnings: {} };
}

/** Files a message under its namespace, or under `cluster` for cluster-scoped items (Velero's Result.Add). */
export function addResult(result: Result, namespace: string | undefined, message: string): void {
  if (namespace) {
    result.namespaces ??= {};
    (result.namespaces[namespace] ??= []).push(message);
  } else {
    (result.cluster ??= []).push(message);
  }
}

export function addTaskResult(result: Result, message: string): void {
  (result.velero ??= []).push(message);
}

export function countResult(result: Result): number {
  let n = (result.velero?.length ?? 0) + (result.cluster?.length ?? 0);
  for (const messages of Object.values(result.namespaces ?? {})) n += messages.length;
  return n;
}

// Velero omits empty lists (omitempty); tolerate explicit nulls too.
const resultSchema = z
  .object({
    velero: z.array(z.string()).nullish(),
    cluster: z.array(z.string()).nullish(),
    namespaces: z.record(z.string(), z.array(z.string())).nullish(),
  })
  .nullish();
const resultsSchema = z.object({ errors: resultSchema, warnings: resultSchema });

export function parseResults(json: unknown): Results {
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid results document: ${z.prettifyError(parsed.error)}`);
  return { errors: clean(parsed.data.errors), warnings: clean(parsed.data.warnings) };
}

type LooseResult = {
  velero?: string[] | null;
  cluster?: string[] | null;
  namespaces?: Record<string, string[]> | null;
};

function clean(x: LooseResult | null | undefined): Result {
  const out: Result = {};
  if (x?.velero) out.velero = x.velero;
  if (x?.cluster) out.cluster = x.cluster;
  if (x?.namespaces) out.namespaces = x.namespaces;
  return out;
}

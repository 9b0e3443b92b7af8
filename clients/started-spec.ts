// What a workflow was started with, read from Temporal's own records (the memo, else the first
// event of its history) rather than by asking the workflow: it needs no worker to be alive.

import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { isRecord } from '../domain/values.js';

/** The `spec` of the workflow's input (`{spec, …}`), from its memo or its start event; undefined when there is none. */
export async function startedSpec(
  client: Client,
  execution: { workflowId: string; runId?: string; memo?: Record<string, unknown> },
): Promise<Record<string, unknown> | undefined> {
  const memo = execution.memo?.spec;
  if (isRecord(memo)) return memo;
  try {
    const res = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: execution.workflowId, runId: execution.runId },
      maximumPageSize: 1,
    });
    const payloads = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    const arg = await decodeFromPayloadsAtIndex<unknown>(client.options.loadedDataConverter, 0, payloads);
    return isRecord(arg) && isRecord(arg.spec) ? arg.spec : undefined;
  } catch {
    return undefined;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { CONFIG_PATH_ENV, ENV_OVERRIDES } from '../../config/load.js';
import { clusterTaskQueue } from '../../temporal/task-queues.js';
import { temporalClient, testConfig } from './harness.js';

const { temporal } = proto;
const mainScript = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));

/**
 * Starts the production agent process of `cluster`, `workers/main.ts agent <cluster>`, with a
 * configuration file (BACKUP_CENTER_CONFIG) of testConfig(): the test Temporal server and the
 * cluster's kubeconfig. Node runs main.ts itself (tsx as a loader, not the tsx CLI, which would
 * put a wrapper process between the test and the agent), so a SIGKILL to this child kills the
 * agent. Resolves once the child polls the cluster's task queue (a poller with the SDK's default
 * identity `<pid>@<host>`: a poller of an agent killed before does not count).
 */
export async function startAgentProcess(cluster: 'a' | 'b'): Promise<ChildProcess> {
  const config = testConfig({ clusters: [cluster], vaults: [], logLevel: 'warn' });
  const configPath = join(mkdtempSync(join(inject('workDir'), `agent-${cluster}-`)), 'config.yaml');
  writeFileSync(configPath, stringify(config));
  const env: NodeJS.ProcessEnv = { ...process.env, [CONFIG_PATH_ENV]: configPath };
  for (const o of ENV_OVERRIDES) delete env[o.env]; // the file alone configures the agent
  const child = spawn(process.execPath, ['--import', 'tsx', mainScript, 'agent', cluster], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = String(signal ?? code)));
  const identity = `${child.pid}@${hostname()}`;
  const { client, close } = await temporalClient();
  try {
    for (const deadline = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 100))) {
      if (exit !== undefined) throw new Error(`agent ${cluster} exited (${exit}) before it polled its task queue`);
      if (Date.now() > deadline) throw new Error(`agent ${cluster} did not poll its task queue within 120 s`);
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: {
          name: clusterTaskQueue(cluster),
          kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
        },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      if ((pollers ?? []).some((p) => p.identity === identity)) return child;
    }
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    await close();
  }
}

/** Kills the agent with SIGKILL and waits until the process is gone. */
export async function killAgent(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await gone;
}

/** The highest attempt number any activity of this history started with: 2 or more proves a retry. */
export function maxActivityAttempt(history: {
  events?: Array<{ activityTaskStartedEventAttributes?: { attempt?: number | null } | null }> | null;
}): number {
  return Math.max(0, ...(history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0));
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const agentScript = fileURLToPath(new URL('./agent-process.ts', import.meta.url));

/**
 * Starts a cluster agent in a process of its own. Node runs the agent itself (tsx as a loader,
 * not the tsx CLI, which would put a wrapper process between the test and the agent), so a
 * SIGKILL to this child kills the agent.
 */
export function startAgentProcess(cluster: 'a' | 'b'): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', agentScript], {
    env: {
      ...process.env,
      BC_TEMPORAL_ADDRESS: inject('temporal').address,
      BC_TEMPORAL_NAMESPACE: inject('temporal').namespace,
      BC_CLUSTER: cluster,
      BC_KUBECONFIG: inject('clusters')[cluster]!.kubeconfigPath,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('agent ready') && resolve(child));
    child.on('exit', (code) => reject(new Error(`agent exited with ${code}`)));
  });
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

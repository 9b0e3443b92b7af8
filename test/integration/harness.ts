import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { KubeClient } from '../../activities/kube/client.js';
import { createAgentActivities } from '../../activities/agents.js';
import { createVaultActivities } from '../../activities/vault/control.js';
import { Context } from '@temporalio/activity';
import { createLifecycleActivities } from '../../activities/vault/lifecycle.js';
import { createTemporalVaultRegistry } from '../../clients/vault-registry.js';
import { createClusterAgent } from '../../workers/cluster-agent.js';
import { createControlWorker } from '../../workers/control.js';
import { createLogger } from '../../lib/logger.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';
import type { VaultCreate } from '../../domain/vault.js';

export const logger = createLogger('test');

// The SDK logs every worker state change at INFO; tests want warnings only.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by another test file in this worker thread
}

export async function temporalClient(): Promise<{ client: Client; close(): Promise<void> }> {
  const { address, namespace } = inject('temporal');
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection, namespace }), close: () => connection.close() };
}

export async function nativeConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: inject('temporal').address });
}

export async function kube(cluster: 'a' | 'b'): Promise<KubeClient> {
  const c = inject('clusters')[cluster];
  if (!c) throw new Error(`cluster ${cluster} was not started by the global setup`);
  return KubeClient.fromFile(c.kubeconfigPath);
}

/** Runs workers while `fn` runs, then shuts them down. */
export async function withWorkers<T>(workers: Worker[], fn: () => Promise<T>): Promise<T> {
  const runs = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
  }
}

const historiesDir = fileURLToPath(new URL('../histories/', import.meta.url));

/**
 * With BC_RECORD_HISTORIES=1, stores the history of a finished run under test/histories/ for
 * the replay tests; committed histories guard workflow code against non-deterministic changes.
 */
export async function recordHistory(handle: WorkflowHandle, file: string): Promise<void> {
  if (process.env.BC_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(`${historiesDir}${file}.json`, JSON.stringify(history, null, 1));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** The control worker (vault activities over `vaults`) and one agent per cluster, in this process. */
export async function startWorkers(opts: {
  connection: NativeConnection;
  namespace: string;
  clusters: Array<'a' | 'b'>;
  vaults: VaultCreate[];
}): Promise<Worker[]> {
  // Configured vaults first, then those created through the API (the registry workflow), as in production.
  const vaults = createTemporalVaultRegistry({ configured: opts.vaults, client: () => Context.current().client });
  return [
    await createControlWorker({
      connection: opts.connection,
      namespace: opts.namespace,
      logger,
      activities: {
        ...createVaultActivities({ vaults, logger }),
        ...createAgentActivities(),
        ...createLifecycleActivities({ vaults, logger }),
      },
    }),
    ...(await Promise.all(
      opts.clusters.map(async (cluster) =>
        createClusterAgent({
          connection: opts.connection,
          namespace: opts.namespace,
          cluster,
          kube: await kube(cluster),
          logger,
        }),
      ),
    )),
  ];
}

/** A fresh filesystem vault in the run's work directory, and a store to look into it as a user would. */
export function testVault(): { vault: VaultCreate; store: BackupStore } {
  const vault: VaultCreate = {
    name: uniqueName('vault'),
    backend: 'filesystem',
    path: mkdtempSync(join(inject('workDir'), 'vault-')),
  };
  return { vault, store: new BackupStore(new FilesystemObjectStore(vault.path!), '') };
}

/** A Temporal client and the workers of `startWorkers`, running; `stop()` shuts them down and closes the connections. */
export interface TestSystem {
  client: Client;
  connection: NativeConnection;
  stop(): Promise<void>;
}

export async function startTestSystem(opts: {
  clusters: Array<'a' | 'b'>;
  vaults: VaultCreate[];
}): Promise<TestSystem> {
  const { client, close } = await temporalClient();
  const connection = await nativeConnection();
  const workers = await startWorkers({ connection, namespace: client.options.namespace, ...opts });
  const runs = workers.map((w) => w.run());
  return {
    client,
    connection,
    async stop() {
      workers.forEach((w) => w.shutdown());
      await Promise.all(runs);
      await connection.close();
      await close();
    },
  };
}

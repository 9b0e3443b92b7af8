import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { KubeClient } from '../../activities/kube/client.js';
import { configFromObject } from '../../config/load.js';
import type { Config, ConfigInput } from '../../config/schema.js';
import { installSdkLogging, startAgent, startControl, type Connections } from '../../workers/system.js';
import { createLogger } from '../../lib/logger.js';
import { FilesystemObjectStore } from '../../vault/filesystem.js';
import { BackupStore } from '../../vault/store.js';
import type { VaultCreate } from '../../domain/vault.js';
import { runApiProcess } from '../../api/main.js';

export const logger = createLogger('test');

// The SDK's logs through the test logger (warnings only), as workers/main.ts routes them in production.
installSdkLogging(logger, 'warn');

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

export { withWorkers } from '../workflows/mocks.js';

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

/**
 * The configuration a test system runs with: the global setup's Temporal server and clusters,
 * `vaults` configured, the rest the defaults (or `overrides`).
 */
export function testConfig(
  opts: { clusters: Array<'a' | 'b'>; vaults: VaultCreate[] } & Omit<Partial<ConfigInput>, 'clusters' | 'vaults'>,
): Config {
  const { address, namespace } = inject('temporal');
  const clusters = inject('clusters');
  const { clusters: names, ...rest } = opts;
  return configFromObject({
    temporal: { address, namespace, uiUrl: null },
    vaultRoot: join(inject('workDir'), 'vaults'),
    // testVault() makes each vault a directory of its own in the run's work directory.
    allowedVaultRoots: [inject('workDir')],
    // Request logs of thousands of fuzzed calls drown the test output; BC_LOG_LEVEL brings them back.
    logLevel: process.env.BC_LOG_LEVEL ?? 'warn',
    ...rest,
    clusters: names.map((name) => ({ name, kubeconfig: clusters[name]!.kubeconfigPath })),
  });
}

/**
 * The control worker and one agent per configured cluster, built by the functions workers/main.ts
 * runs (workers/system.ts), from `config`. Start-up registration is left to `run()`: tests make
 * their own vaults and schedules.
 */
export async function startWorkers(config: Config, c: Connections): Promise<Worker[]> {
  return [
    await startControl(config, c, logger),
    ...(await Promise.all(config.clusters.map((cluster) => startAgent(config, c, cluster.name, logger)))),
  ];
}

/**
 * The REST API as production starts it (api/main.ts runApiProcess), from testConfig on a free local
 * port with the Web UI links of the run's Temporal server; `stop()` closes it and its connection.
 */
export function startTestApi(opts: Parameters<typeof testConfig>[0]): ReturnType<typeof runApiProcess> {
  const { address, namespace, uiUrl } = inject('temporal');
  return runApiProcess(
    testConfig({ api: { host: '127.0.0.1', port: 0 }, temporal: { address, namespace, uiUrl }, ...opts }),
  );
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

export async function startTestSystem(
  opts: { clusters: Array<'a' | 'b'>; vaults: VaultCreate[] } & Omit<Partial<ConfigInput>, 'clusters' | 'vaults'>,
): Promise<TestSystem> {
  const { client, close } = await temporalClient();
  const connection = await nativeConnection();
  const config = testConfig(opts);
  const workers = await startWorkers(config, { native: connection, client, close: async () => undefined });
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

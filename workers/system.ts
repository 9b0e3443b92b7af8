import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { KubeClient } from '../activities/kube/client.js';
import { createTemporalVaultRegistry, registerConfiguredVaults } from '../clients/vault-registry.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { ensureRetentionSchedule } from '../clients/retention-schedule.js';
import { createClusterAgent } from './cluster-agent.js';
import { createControlActivities } from './control-activities.js';
import { createControlWorker } from './control.js';

// The processes of the backup center, each built from the configuration: the control worker,
// one agent per cluster (the REST API is api/main.ts). `workers/main.ts` runs one of them
// (production) or all (the embedded default that `npm start` runs).

export interface Connections {
  native: NativeConnection;
  client: Client;
  close(): Promise<void>;
}

export async function connect(config: Config): Promise<Connections> {
  const [native, connection] = await Promise.all([
    NativeConnection.connect({ address: config.temporal.address }),
    Connection.connect({ address: config.temporal.address }),
  ]);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  return { native, client, close: async () => void (await Promise.all([native.close(), connection.close()])) };
}

function vaultRoot(config: Config): string {
  return resolve(config.vaultRoot);
}

/** The control worker: every workflow; vault, agent and lifecycle activities. Registers configured vaults and the retention schedule. */
export async function startControl(config: Config, c: Connections, logger: Logger): Promise<Worker> {
  const vaults = createTemporalVaultRegistry({ client: () => Context.current().client, configured: config.vaults });
  const worker = await createControlWorker({
    connection: c.native,
    namespace: config.temporal.namespace,
    logger,
    activities: createControlActivities({ vaults, vaultRoot: vaultRoot(config), logger }),
    maxConcurrentActivityTaskExecutions: Object.values(config.concurrency).reduce((a, b) => a + b, 0) * 4,
  });
  // The registry workflow must be polled before vaults can be registered through it.
  void (async () => {
    await new Promise((r) => setTimeout(r, 500));
    await registerConfiguredVaults(c.client, config.vaults, vaultRoot(config), logger);
    await ensureRetentionSchedule(c.client);
  })().catch((err: unknown) => logger.error({ err }, 'start-up registration failed'));
  return worker;
}

/** The agent of one configured cluster: its Kubernetes activities on `cluster-<name>`. */
export async function startAgent(config: Config, c: Connections, cluster: string, logger: Logger): Promise<Worker> {
  const entry = config.clusters.find((x) => x.name === cluster);
  if (!entry) throw new Error(`config: clusters: no cluster named ${cluster}`);
  const kube = entry.inCluster
    ? await KubeClient.inCluster()
    : await KubeClient.fromFile(entry.kubeconfig ?? `${process.env.HOME}/.kube/config`, entry.context);
  return createClusterAgent({
    connection: c.native,
    namespace: config.temporal.namespace,
    cluster,
    kube,
    logger: logger.child({ cluster }),
    vaultRoot: vaultRoot(config),
    maxConcurrentActivityTaskExecutions:
      config.concurrency.backup + config.concurrency.restore + config.concurrency.convert,
  });
}

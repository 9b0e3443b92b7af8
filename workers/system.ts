import { vaultAccessOf } from '../vault/open.js';
import { Client, Connection } from '@temporalio/client';
import { makeTelemetryFilterString, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { KubeClient } from '../activities/kube/client.js';
import { createTemporalVaultRegistry, registerConfiguredVaults } from '../clients/vault-registry.js';
import type { Config, LogLevel } from '../config/schema.js';
import { sdkLogger, type Logger, type SdkLogLevel } from '../lib/logger.js';
import { ensureRetentionSchedule } from '../clients/retention-schedule.js';
import { CONTROL_ACTIVITY_KINDS, limitActivities, semaphoresFor } from './activity-limits.js';
import { agentActivitySlots, createClusterAgent } from './cluster-agent.js';
import { createControlActivities } from './control-activities.js';
import { createControlWorker } from './control.js';

// The processes of the backup center, each built from the configuration: the control worker,
// one agent per cluster (the REST API is api/main.ts). `workers/main.ts` runs one of them
// (production) or all (the embedded default that `npm start` runs); the integration tests build
// their workers with these same functions.

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

/**
 * The level an SDK message is logged at: the worker's and core's INFO (state changes, "Workflow
 * bundle created") are debug, and so is an agent's expected "No workflows registered" warning.
 */
export function sdkLevel(level: SdkLogLevel, meta: Record<string | symbol, unknown>, message = ''): SdkLogLevel {
  const component = meta.sdkComponent;
  if (level === 'INFO' && (component === 'worker' || component === 'core')) return 'DEBUG';
  if (level === 'WARN' && component === 'worker' && message.startsWith('No workflows registered')) return 'DEBUG';
  return level;
}

/** Core (Rust) log level for a configured level: core's INFO is per-poll chatter, so warnings unless debugging. */
function coreLevel(level: LogLevel): SdkLogLevel {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  return 'WARN';
}

/**
 * Routes the Temporal SDK's own logs (its core, the worker, workflow and activity context
 * loggers) into `logger`, so a process writes one structured stream, at the levels of sdkLevel.
 * The SDK's Runtime is
 * installed once per process and before the first connection: when one is already installed
 * (a second call, or a test that installed its own), it is kept and false is returned.
 */
export function installSdkLogging(logger: Logger, level: LogLevel): boolean {
  try {
    Runtime.install({
      logger: sdkLogger(logger, sdkLevel),
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLevel(level), other: 'ERROR' }) },
      },
    });
    return true;
  } catch (err) {
    logger.debug({ err }, 'Temporal SDK runtime already installed; its logger is kept');
    return false;
  }
}

/** The control worker: every workflow; vault, agent and lifecycle activities (deletes limited by `concurrency.delete`). */
export async function startControl(config: Config, c: Connections, logger: Logger): Promise<Worker> {
  const vaults = createTemporalVaultRegistry({ client: () => Context.current().client, configured: config.vaults });
  return createControlWorker({
    connection: c.native,
    namespace: config.temporal.namespace,
    logger,
    activities: limitActivities(
      createControlActivities({
        vaults,
        ...vaultAccessOf(config),
        allowedVaultRoots: config.allowedVaultRoots,
        logger,
        agentGraceSeconds: config.agentGraceSeconds,
        stagingMaxAgeMinutes: config.stagingMaxAgeMinutes,
      }),
      CONTROL_ACTIVITY_KINDS,
      semaphoresFor(config.concurrency),
      { logger },
    ),
    maxConcurrentActivityTaskExecutions: Object.values(config.concurrency).reduce((a, b) => a + b, 0) * 4,
  });
}

/**
 * Start-up registration of the control process: the configured vaults (through the registry
 * workflow, which the control worker must be polling to serve) and the retention schedule.
 * Waits until `worker` runs, then tries until it succeeds or `signal` aborts, backing off from
 * `firstDelayMs` to 30 s; each failed attempt is a warning, success is info.
 */
export async function registerAtStart(
  config: Config,
  c: Connections,
  worker: Pick<Worker, 'getState'>,
  logger: Logger,
  opts: { signal?: AbortSignal; firstDelayMs?: number; maxDelayMs?: number } = {},
): Promise<boolean> {
  const sleep = (ms: number) =>
    new Promise<void>((ok) => {
      const t = setTimeout(ok, ms);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), ok()), { once: true });
    });
  while (worker.getState() !== 'RUNNING') {
    if (opts.signal?.aborted || ['STOPPING', 'DRAINING', 'DRAINED', 'STOPPED', 'FAILED'].includes(worker.getState()))
      return false;
    await sleep(50);
  }
  let delay = opts.firstDelayMs ?? 500;
  for (let attempt = 1; !opts.signal?.aborted; attempt++) {
    try {
      const vaults = await registerConfiguredVaults(c.client, config.vaults, config.vaultRoot, logger);
      const retention = await ensureRetentionSchedule(c.client);
      logger.info(
        { attempt, vaults: vaults.map((v) => v.name), retention },
        'configured vaults and retention schedule registered',
      );
      return true;
    } catch (err) {
      if (opts.signal?.aborted) break;
      logger.warn({ err, attempt, retryInMs: delay }, 'start-up registration failed; retrying');
      await sleep(delay);
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000);
    }
  }
  return false;
}

/** The agent of one configured cluster: its Kubernetes activities on `cluster-<name>`, limited per kind by `concurrency`. */
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
    ...agentSettings(config),
  });
}

/** What a cluster agent takes from the configuration. */
export function agentSettings(config: Config) {
  return {
    ...vaultAccessOf(config),
    concurrency: config.concurrency,
    diskProvisioners: config.diskProvisioners,
    minDiskSizeGiB: config.minDiskSizeGiB,
    maxConcurrentActivityTaskExecutions: agentActivitySlots(config.concurrency),
  };
}

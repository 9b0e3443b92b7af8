// The backup center's processes, from the configuration (BACKUP_CENTER_CONFIG, BC_* overrides):
//   npx tsx workers/main.ts control          the control worker (every workflow, vault activities)
//   npx tsx workers/main.ts agent <cluster>  the agent of one configured cluster
//   npx tsx workers/main.ts api              the REST API
//   npx tsx workers/main.ts all              all of them in one process (the embedded default)
import { pathToFileURL } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { runApiProcess } from '../api/main.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../lib/logger.js';
import { connect, installSdkLogging, registerAtStart, startAgent, startControl } from './system.js';

export interface Running {
  apiUrl?: string;
  /** Settles true once the control process registered the configured vaults and the retention schedule (false without one, or when stopped first). */
  registered: Promise<boolean>;
  stop(): Promise<void>;
}

export async function run(role: string, config: Config, cluster?: string): Promise<Running> {
  const logger = createLogger(role);
  logger.level = config.logLevel;
  installSdkLogging(logger, config.logLevel); // before the first connection creates the SDK's runtime
  const c = await connect(config);
  const workers: Worker[] = [];
  const control = role === 'control' || role === 'all' ? await startControl(config, c, logger) : undefined;
  if (control) workers.push(control);
  if (role === 'agent') {
    if (!cluster) throw new Error('usage: agent <cluster>');
    workers.push(await startAgent(config, c, cluster, logger));
  }
  if (role === 'all') for (const cl of config.clusters) workers.push(await startAgent(config, c, cl.name, logger));
  const api = role === 'api' || role === 'all' ? await runApiProcess(config) : undefined;
  if (!api && workers.length === 0) throw new Error(`unknown role ${role}: control | agent <cluster> | api | all`);
  const runs = workers.map((w) => w.run());
  // Configured vaults and the retention schedule, once the control worker polls (it serves the registry).
  const stopping = new AbortController();
  const registered = control
    ? registerAtStart(config, c, control, logger, { signal: stopping.signal })
    : Promise.resolve(false);
  return {
    apiUrl: api?.url,
    registered,
    async stop() {
      stopping.abort();
      await api?.stop();
      for (const w of workers) w.shutdown();
      await Promise.allSettled([...runs, registered]);
      await c.close();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [role = 'all', cluster] = process.argv.slice(2);
  const running = await run(role, loadConfig(), cluster);
  if (running.apiUrl) process.stdout.write(`Backup Center API: ${running.apiUrl}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void running.stop().then(() => process.exit(0)));
  }
}

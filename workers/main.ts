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
import { connect, startAgent, startControl } from './system.js';

export interface Running {
  apiUrl?: string;
  stop(): Promise<void>;
}

export async function run(role: string, config: Config, cluster?: string): Promise<Running> {
  const logger = createLogger(role);
  logger.level = config.logLevel;
  const c = await connect(config);
  const workers: Worker[] = [];
  if (role === 'control' || role === 'all') workers.push(await startControl(config, c, logger));
  if (role === 'agent') {
    if (!cluster) throw new Error('usage: agent <cluster>');
    workers.push(await startAgent(config, c, cluster, logger));
  }
  if (role === 'all') for (const cl of config.clusters) workers.push(await startAgent(config, c, cl.name, logger));
  const api = role === 'api' || role === 'all' ? await runApiProcess(config) : undefined;
  if (!api && workers.length === 0) throw new Error(`unknown role ${role}: control | agent <cluster> | api | all`);
  const runs = workers.map((w) => w.run());
  return {
    apiUrl: api?.url,
    async stop() {
      await api?.stop();
      for (const w of workers) w.shutdown();
      await Promise.allSettled(runs);
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

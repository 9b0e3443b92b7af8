import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { allSearchAttributes } from '../temporal/search-attributes.js';
import { freePort, startProcess, waitFor, type Managed } from './process.js';

export interface LocalTemporal {
  address: string;
  namespace: string;
  uiUrl: string;
  dbFile: string;
  port: number;
  uiPort: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no clean shutdown. */
  kill(): Promise<void>;
}

/**
 * Starts the Temporal CLI's dev server (the real server on SQLite, with the Web UI) on free
 * ports, with the project's search attributes registered, and waits until it answers.
 */
export async function startTemporal(opts: {
  bin: string;
  dir: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
}): Promise<LocalTemporal> {
  mkdirSync(opts.dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const uiPort = opts.uiPort ?? (await freePort());
  const namespace = 'default';
  const dbFile = join(opts.dir, 'temporal.db');
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--db-filename',
    dbFile,
    '--namespace',
    namespace,
    '--log-level',
    'warn',
    ...allSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
    // The vault registry serialises vault creation and deletion through workflow Updates.
    '--dynamic-config-value',
    'frontend.enableUpdateWorkflowExecution=true',
  ];
  if (opts.headless) args.push('--headless');
  const proc: Managed = startProcess('temporal', opts.bin, args, join(opts.dir, 'temporal.log'));
  const address = `127.0.0.1:${port}`;
  await waitFor(
    `Temporal dev server on ${address}`,
    async () => {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.workflowService.getSystemInfo({});
        return true;
      } finally {
        await conn.close();
      }
    },
    { timeoutMs: 60_000, managed: [proc] },
  );
  return {
    address,
    namespace,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    dbFile,
    port,
    uiPort,
    stop: () => proc.stop(),
    kill: async () => {
      if (proc.child.exitCode !== null) return;
      const gone = new Promise<void>((r) => proc.child.once('exit', () => r()));
      proc.child.kill('SIGKILL');
      await gone;
    },
  };
}

// The processes of the fault-injection test, each a child that can be SIGKILLed and started again:
// the Temporal dev server (on its SQLite file and its ports, as temporal-crash.test.ts restarts it)
// and the production entries `workers/main.ts control | agent <cluster> | api` from one YAML
// configuration file (BACKUP_CENTER_CONFIG), as agent-spawn.ts starts an agent.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_PATH_ENV, ENV_OVERRIDES } from '../../config/load.js';
import { startTemporal, type LocalTemporal } from '../../servers/temporal.js';

const mainScript = fileURLToPath(new URL('../../workers/main.ts', import.meta.url));

/** One supervised process: kill() is a SIGKILL, start() brings it back; an exit nobody asked for is restarted after a second, as a supervisor would. */
export interface FaultProcess {
  readonly name: string;
  alive(): boolean;
  /** The running child's pid (the SDK's worker identity is `<pid>@<host>`). */
  pid(): number | undefined;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** Exits nobody asked for (a process that stopped on its own and was restarted). */
  readonly unexpectedExits: string[];
  stop(): Promise<void>;
}

/** `workers/main.ts <args>` under Node with tsx as a loader (no wrapper process), output appended to `logFile`. */
export function nodeRole(name: string, args: string[], configPath: string, logFile: string): FaultProcess {
  let child: ChildProcess | undefined;
  let stopping = false;
  const unexpectedExits: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, [CONFIG_PATH_ENV]: configPath };
  for (const o of ENV_OVERRIDES) delete env[o.env]; // the file alone configures the process
  const killOnExit = () => child?.kill('SIGKILL');
  process.on('exit', killOnExit);
  const self: FaultProcess = {
    name,
    unexpectedExits,
    alive: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    pid: () => child?.pid,
    start() {
      const fd = openSync(logFile, 'a');
      const c = spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
        env,
        stdio: ['ignore', fd, fd],
      });
      closeSync(fd);
      child = c;
      c.once('exit', (code, signal) => {
        if (child !== c || (c as ChildProcess & { killedByUs?: boolean }).killedByUs || stopping) return;
        unexpectedExits.push(`${new Date().toISOString()} ${name} exited (${signal ?? code}) on its own`);
        setTimeout(() => {
          if (child === c && !stopping) void self.start();
        }, 1000);
      });
      return Promise.resolve();
    },
    async kill() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      (c as ChildProcess & { killedByUs?: boolean }).killedByUs = true;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await gone;
    },
    async stop() {
      stopping = true;
      await self.kill();
      process.off('exit', killOnExit);
    },
  };
  return self;
}

/** The Temporal dev server on `dir`'s SQLite file and fixed ports: start() after kill() comes back on the same database. */
export function temporalProcess(
  bin: string,
  dir: string,
  port: number,
  uiPort: number,
): FaultProcess & {
  address: string;
} {
  let server: LocalTemporal | undefined;
  let up = false;
  return {
    name: 'temporal',
    address: `127.0.0.1:${port}`,
    unexpectedExits: [],
    alive: () => up,
    pid: () => undefined,
    async start() {
      server = await startTemporal({ bin, dir, headless: true, port, uiPort });
      up = true;
    },
    async kill() {
      up = false;
      await server?.kill();
    },
    async stop() {
      up = false;
      await server?.stop();
    },
  };
}

import { pino, type Logger } from 'pino';

/** The project's structured logger; LOG_LEVEL or BC_LOG_LEVEL set the level (default info, silent under tests unless set). */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  const level = process.env.BC_LOG_LEVEL ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info');
  return pino({ name, level, base: { component: name, ...bindings } });
}

/** The Temporal SDK's log levels (its `Logger` interface, structurally: lib depends on nothing). */
export type SdkLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface SdkLogger {
  log(level: SdkLogLevel, message: string, meta?: Record<string | symbol, unknown>): void;
  trace(message: string, meta?: Record<string | symbol, unknown>): void;
  debug(message: string, meta?: Record<string | symbol, unknown>): void;
  info(message: string, meta?: Record<string | symbol, unknown>): void;
  warn(message: string, meta?: Record<string | symbol, unknown>): void;
  error(message: string, meta?: Record<string | symbol, unknown>): void;
}

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * A Temporal SDK logger (for `Runtime.install({ logger })` or the bundler) that writes to `logger`,
 * so the SDK's own messages join the process's one structured stream. `level` may lower a
 * message's level (e.g. the SDK's INFO lifecycle chatter to debug); metadata become fields
 * (the SDK's `sdkComponent`, `taskQueue`, …), and core's timestamp in nanoseconds is dropped.
 */
export function sdkLogger(
  logger: Logger,
  level: (sdkLevel: SdkLogLevel, meta: Record<string | symbol, unknown>, message: string) => SdkLogLevel = (l) => l,
): SdkLogger {
  const log = (sdkLevel: SdkLogLevel, message: string, meta: Record<string | symbol, unknown> = {}) => {
    const fields: Record<string, unknown> = {};
    // Symbol keys (core's timestamp) are left out; the SDK's `error` goes where pino serializes
    // errors (`err`: type, message, stack), not as an empty object.
    for (const [k, v] of Object.entries(meta)) fields[k === 'error' && v instanceof Error ? 'err' : k] = v;
    logger[PINO_LEVEL[level(sdkLevel, meta, message)]](fields, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}

export type { Logger };

import { pino, type Logger } from 'pino';

/** The project's structured logger; LOG_LEVEL or BC_LOG_LEVEL set the level (default info, silent under tests unless set). */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  const level = process.env.BC_LOG_LEVEL ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'warn' : 'info');
  return pino({ name, level, base: { component: name, ...bindings } });
}

export type { Logger };

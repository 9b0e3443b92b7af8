// A backup plan's `schedule`: a 5-field crontab expression (`1 4 * * *`) or an interval written
// as a Go duration (`6h30m`), as the FAQ's "How do I specify the backup cycle" describes; turned
// into a Temporal ScheduleSpec. Intervals go to Temporal as milliseconds: the SDK parses string
// intervals with `ms`, which rejects `6h30m`. Pure: no clocks, no I/O.

import { formatGoDuration, parseGoDurationNanos, NANOS_PER_MILLISECOND } from '../lib/duration.js';

/** The part of `@temporalio/client`'s ScheduleSpec that a backup plan fills. */
export type TemporalScheduleSpec = { cronExpressions: [string] } | { intervals: [{ every: number }] };

export class ScheduleSpecError extends Error {
  override name = 'ScheduleSpecError';
}

/** Shortest accepted interval: one minute, like the finest crontab granularity. */
export const MIN_INTERVAL_MS = 60_000;

/** `<plan>-<yyyyMMddHHmmss>` must stay a DNS-1123 label (63), so a plan name has at most 63 - 15. */
export const MAX_PLAN_NAME_LENGTH = 48;

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesStart?: number;
}

const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
    namesStart: 1,
  },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], namesStart: 0 },
];

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const EXAMPLES = 'a 5-field cron expression such as "1 4 * * *" or an interval such as "6h30m"';

/** Parses one value of a field (a number, or a month/day name) and checks its range. */
function fieldValue(text: string, field: CronField): number {
  let value: number | undefined;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else if (field.names) {
    const index = field.names.indexOf(text.toUpperCase());
    if (index >= 0) value = index + (field.namesStart ?? 0);
  }
  if (value === undefined) {
    throw new ScheduleSpecError(`${field.name} field: ${JSON.stringify(text)} is not a number`);
  }
  if (value < field.min || value > field.max) {
    throw new ScheduleSpecError(`${field.name} field: ${value} is out of range ${field.min}-${field.max}`);
  }
  return value;
}

/** Validates one field (`*`, `5`, `1-5`, `*\/15`, `10-50/10`, `1,15,30`) and returns it normalized. */
function cronField(text: string, field: CronField): string {
  if (text === '') throw new ScheduleSpecError(`${field.name} field is empty`);
  return text
    .split(',')
    .map((part) => {
      if (part === '')
        throw new ScheduleSpecError(`${field.name} field ${JSON.stringify(text)} has an empty list item`);
      const slash = part.split('/');
      if (slash.length > 2)
        throw new ScheduleSpecError(`${field.name} field: ${JSON.stringify(part)} has more than one "/"`);
      const [base = '', stepText] = slash;
      let range: string;
      let span: number;
      if (base === '*') {
        range = '*';
        span = field.max - field.min + 1;
      } else {
        const bounds = base.split('-');
        if (bounds.length > 2 || bounds.some((b) => b === '')) {
          throw new ScheduleSpecError(`${field.name} field: ${JSON.stringify(part)} is not a value, range or step`);
        }
        const low = fieldValue(bounds[0] ?? '', field);
        const high =
          bounds[1] === undefined ? (stepText === undefined ? low : field.max) : fieldValue(bounds[1], field);
        if (high < low) {
          throw new ScheduleSpecError(`${field.name} field: range ${JSON.stringify(base)} ends before it starts`);
        }
        range = bounds[1] === undefined && stepText === undefined ? String(low) : `${low}-${high}`;
        span = high - low + 1;
      }
      if (stepText === undefined) return range;
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new ScheduleSpecError(`${field.name} field: step ${JSON.stringify(stepText)} is not a positive number`);
      }
      const step = Number(stepText);
      if (step > span && base === '*') {
        throw new ScheduleSpecError(
          `${field.name} field: step ${step} is larger than the range ${field.min}-${field.max}`,
        );
      }
      return `${range}/${step}`;
    })
    .join(',');
}

function parseCron(expression: string): TemporalScheduleSpec {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== CRON_FIELDS.length) {
    throw new ScheduleSpecError(
      `cron expression ${JSON.stringify(expression)} has ${parts.length} fields; expected 5 (minute hour day-of-month month day-of-week)`,
    );
  }
  const normalized = CRON_FIELDS.map((field, i) => cronField(parts[i] ?? '', field)).join(' ');
  return { cronExpressions: [normalized] };
}

function parseInterval(text: string): TemporalScheduleSpec {
  const ns = parseGoDurationNanos(text);
  if (ns <= 0n) throw new ScheduleSpecError(`interval ${JSON.stringify(text)} is not positive`);
  if (ns % (1000n * NANOS_PER_MILLISECOND) !== 0n) {
    throw new ScheduleSpecError(`interval ${JSON.stringify(text)} is not a whole number of seconds`);
  }
  const every = Number(ns / NANOS_PER_MILLISECOND);
  if (every < MIN_INTERVAL_MS) {
    throw new ScheduleSpecError(
      `interval ${JSON.stringify(text)} is shorter than the minimum ${formatGoDuration(MIN_INTERVAL_MS)}`,
    );
  }
  return { intervals: [{ every }] };
}

function parse(schedule: string): TemporalScheduleSpec {
  const text = schedule.trim();
  if (text === '') throw new ScheduleSpecError(`is empty; expected ${EXAMPLES}`);
  if (text.startsWith('@')) {
    const [macro = '', ...rest] = text.split(/\s+/);
    if (macro.toLowerCase() === '@every' && rest.length === 1) return parseInterval(rest[0] ?? '');
    const expression = MACROS[macro.toLowerCase()];
    if (expression === undefined || rest.length > 0) {
      throw new ScheduleSpecError(`${JSON.stringify(schedule)} is not a known macro; expected ${EXAMPLES}`);
    }
    return { cronExpressions: [expression] };
  }
  if (/\s/.test(text)) return parseCron(text);
  try {
    return parseInterval(text);
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw err;
    throw new ScheduleSpecError(`${JSON.stringify(schedule)} is neither ${EXAMPLES}`);
  }
}

/**
 * Turns a backup plan's `schedule` into a Temporal ScheduleSpec: `{cronExpressions: [expr]}`
 * with the expression normalized (names to numbers, whitespace collapsed), or
 * `{intervals: [{every: <milliseconds>}]}`.
 * @throws ScheduleSpecError whose message starts with `schedule: `.
 */
export function parseScheduleSpec(schedule: string): TemporalScheduleSpec {
  try {
    return parse(schedule);
  } catch (err) {
    if (err instanceof ScheduleSpecError) throw new ScheduleSpecError(`schedule: ${err.message}`);
    throw err;
  }
}

/** Why `schedule` is invalid, without the `schedule: ` prefix, or undefined when valid. */
export function scheduleProblem(schedule: string): string | undefined {
  try {
    parse(schedule);
    return undefined;
  } catch (err) {
    if (err instanceof ScheduleSpecError) return err.message;
    throw err;
  }
}

/** `yyyyMMddHHmmss` in UTC. */
export function formatBackupTimestamp(date: Date): string {
  const t = date.getTime();
  if (Number.isNaN(t)) throw new RangeError('backup timestamp: invalid date');
  const iso = date.toISOString(); // 2024-01-02T03:04:05.678Z
  return iso.slice(0, 19).replace(/[-T:]/g, '');
}

/**
 * The name of the backup a plan starts at `date`: `<plan>-<yyyyMMddHHmmss>` (UTC), a DNS-1123
 * label as long as the plan name has at most {@link MAX_PLAN_NAME_LENGTH} characters.
 */
export function backupNameFor(plan: string, date: Date): string {
  if (plan.length === 0 || plan.length > MAX_PLAN_NAME_LENGTH) {
    throw new RangeError(`backup plan name ${JSON.stringify(plan)} must have 1 to ${MAX_PLAN_NAME_LENGTH} characters`);
  }
  return `${plan}-${formatBackupTimestamp(date)}`;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PLAN_NAME_LENGTH,
  ScheduleSpecError,
  backupNameFor,
  formatBackupTimestamp,
  parseScheduleSpec,
  scheduleProblem,
} from './schedule-expression.js';

describe('parseScheduleSpec: cron', () => {
  it.each([
    ['1 4 * * *', '1 4 * * *'],
    ['0 2 15 * 1', '0 2 15 * 1'],
    ['  */15   0-23/2 1,15,31 1-12 0-6 ', '*/15 0-23/2 1,15,31 1-12 0-6'],
    ['0 9 * jan-mar MON-fri', '0 9 * 1-3 1-5'],
    ['5/10 * * * *', '5-59/10 * * * *'],
    ['59 23 31 12 6', '59 23 31 12 6'],
    ['0 0 1 1 *', '0 0 1 1 *'],
  ])('%j -> cron %j', (input, expr) => {
    expect(parseScheduleSpec(input)).toEqual({ cronExpressions: [expr] });
  });

  it.each([
    ['60 * * * *', 'schedule: minute field: 60 is out of range 0-59'],
    ['* 24 * * *', 'schedule: hour field: 24 is out of range 0-23'],
    ['* * 0 * *', 'schedule: day-of-month field: 0 is out of range 1-31'],
    ['* * 32 * *', 'schedule: day-of-month field: 32 is out of range 1-31'],
    ['* * * 13 *', 'schedule: month field: 13 is out of range 1-12'],
    ['* * * 0 *', 'schedule: month field: 0 is out of range 1-12'],
    ['* * * * 7', 'schedule: day-of-week field: 7 is out of range 0-6'],
    ['* * * *', 'schedule: cron expression "* * * *" has 4 fields; expected 5'],
    ['0 0 * * * *', 'has 6 fields'],
    ['5-1 * * * *', 'schedule: minute field: range "5-1" ends before it starts'],
    ['*/0 * * * *', 'schedule: minute field: step "0" is not a positive number'],
    ['*/61 * * * *', 'step 61 is larger than the range 0-59'],
    ['1,,2 * * * *', 'empty list item'],
    ['a * * * *', 'schedule: minute field: "a" is not a number'],
    ['1-2-3 * * * *', 'is not a value, range or step'],
    ['1/2/3 * * * *', 'more than one "/"'],
    ['* * * FOO *', 'month field: "FOO" is not a number'],
  ])('%j is refused: %s', (input, message) => {
    expect(() => parseScheduleSpec(input)).toThrow(ScheduleSpecError);
    expect(() => parseScheduleSpec(input)).toThrow(message);
  });

  it('accepts macros', () => {
    expect(parseScheduleSpec('@daily')).toEqual({ cronExpressions: ['0 0 * * *'] });
    expect(parseScheduleSpec('@hourly')).toEqual({ cronExpressions: ['0 * * * *'] });
    expect(() => parseScheduleSpec('@fortnightly')).toThrow('not a known macro');
  });
});

describe('parseScheduleSpec: interval', () => {
  it.each([
    ['6h30m', 6.5 * 3600_000],
    ['90m', 90 * 60_000],
    ['1h', 3600_000],
    ['1m', 60_000],
    ['24h', 86_400_000],
    ['1.5h', 5_400_000],
    ['@every 2h', 7_200_000],
  ])('%j -> every %d ms', (input, every) => {
    expect(parseScheduleSpec(input)).toEqual({ intervals: [{ every }] });
  });

  it.each([
    ['45s', 'schedule: interval "45s" is shorter than the minimum 1m0s'],
    ['0s', 'schedule: interval "0s" is not positive'],
    ['-1h', 'is not positive'],
    ['1m500ms', 'is not a whole number of seconds'],
    ['', 'schedule: is empty'],
    ['6h30', 'schedule: "6h30" is neither a 5-field cron expression'],
    ['daily', 'is neither'],
  ])('%j is refused: %s', (input, message) => {
    expect(() => parseScheduleSpec(input)).toThrow(message);
  });

  it('scheduleProblem returns the reason without the prefix, or undefined', () => {
    expect(scheduleProblem('1 4 * * *')).toBeUndefined();
    expect(scheduleProblem('6h30m')).toBeUndefined();
    expect(scheduleProblem('45s')).toBe('interval "45s" is shorter than the minimum 1m0s');
  });

  it('never throws anything but ScheduleSpecError', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseScheduleSpec(s);
        } catch (err) {
          expect(err).toBeInstanceOf(ScheduleSpecError);
          expect((err as Error).message.startsWith('schedule: ')).toBe(true);
        }
      }),
    );
  });

  it('accepts every in-range single-value cron', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (mi, h, d, mo, w) => {
          const expr = `${mi} ${h} ${d} ${mo} ${w}`;
          expect(parseScheduleSpec(expr)).toEqual({ cronExpressions: [expr] });
        },
      ),
    );
  });
});

describe('backupNameFor', () => {
  it('appends the UTC timestamp', () => {
    expect(backupNameFor('nightly', new Date('2024-03-05T04:01:09.999Z'))).toBe('nightly-20240305040109');
    expect(formatBackupTimestamp(new Date(Date.UTC(1999, 11, 31, 23, 59, 59)))).toBe('19991231235959');
  });

  it('stays a DNS-1123 label for the longest plan name', () => {
    const name = backupNameFor('a'.repeat(MAX_PLAN_NAME_LENGTH), new Date(0));
    expect(name.length).toBe(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('refuses a too-long plan name and an invalid date', () => {
    expect(() => backupNameFor('a'.repeat(MAX_PLAN_NAME_LENGTH + 1), new Date(0))).toThrow(RangeError);
    expect(() => backupNameFor('plan', new Date(Number.NaN))).toThrow('invalid date');
  });
});

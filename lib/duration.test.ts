import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DurationError,
  formatGoDuration,
  formatGoDurationNanos,
  isGoDuration,
  normalizeGoDuration,
  parseGoDuration,
  parseGoDurationNanos,
} from './duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['0', 0],
    ['720h', 720 * 3600_000],
    ['720h0m0s', 720 * 3600_000],
    ['72h', 72 * 3600_000],
    ['6h30m', 6.5 * 3600_000],
    ['90m', 90 * 60_000],
    ['1h', 3600_000],
    ['45s', 45_000],
    ['1.5h', 5400_000],
    ['1.5s', 1500],
    ['300ms', 300],
    ['-1m', -60_000],
    ['+2s', 2000],
    ['1h1h', 7200_000],
    ['.5s', 500],
    ['1.s', 1000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['250ns', 0.00025],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', ' ', '1', '1d', '5 m', 'h', '.s', '1h 30m', '-', 'abc', '1e3s', '9223372036854775808ns', '2562048h'])(
    'rejects %j',
    (text) => {
      expect(() => parseGoDuration(text)).toThrow(DurationError);
      expect(isGoDuration(text)).toBe(false);
    },
  );

  it('accepts the int64 bounds exactly', () => {
    expect(parseGoDurationNanos('9223372036854775807ns')).toBe(9223372036854775807n);
    expect(parseGoDurationNanos('-9223372036854775808ns')).toBe(-9223372036854775808n);
  });

  it('names the missing unit', () => {
    expect(() => parseGoDuration('10')).toThrow('missing unit in duration "10"');
    expect(() => parseGoDuration('10d')).toThrow('unknown unit "d" in duration "10d"');
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [720 * 3600_000, '720h0m0s'],
    [6.5 * 3600_000, '6h30m0s'],
    [90 * 60_000, '1h30m0s'],
    [61_000, '1m1s'],
    [1500, '1.5s'],
    [300, '300ms'],
    [1.5, '1.5ms'],
    [0.0015, '1.5µs'],
    [-60_000, '-1m0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('formats nanoseconds like Go', () => {
    expect(formatGoDurationNanos(1n)).toBe('1ns');
    expect(formatGoDurationNanos(1_100_000_000n)).toBe('1.1s');
    expect(formatGoDurationNanos(9223372036854775807n)).toBe('2562047h47m16.854775807s');
  });

  it('normalizes', () => {
    expect(normalizeGoDuration('72h')).toBe('72h0m0s');
    expect(normalizeGoDuration('90m')).toBe('1h30m0s');
  });

  it('round-trips every int64 nanosecond count', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (ns) => {
        expect(parseGoDurationNanos(formatGoDurationNanos(ns))).toBe(ns);
      }),
    );
  });

  it('round-trips whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        expect(parseGoDuration(formatGoDuration(ms))).toBe(ms);
      }),
    );
  });
});

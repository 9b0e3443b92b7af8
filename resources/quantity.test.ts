import { describe, expect, it } from 'vitest';
import { compareQuantities, formatBinaryQuantity, parseQuantity, quantityError } from './quantity.js';

describe('quantities', () => {
  it.each([
    ['10Gi', 10 * 2 ** 30],
    ['20Gi', 20 * 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['1Ti', 2 ** 40],
    ['512Mi', 512 * 2 ** 20],
    ['100Ki', 102400],
    ['20G', 20e9],
    ['500M', 500e6],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['1E3', 1000],
    ['1E', 1e18],
    ['100m', 0.1],
    ['.5Gi', 0.5 * 2 ** 30],
  ])('%s', (q, bytes) => {
    expect(parseQuantity(q)).toBeCloseTo(bytes, 6);
  });

  it('compares across suffixes: 20G is less than 20Gi', () => {
    expect(compareQuantities('20G', '20Gi')).toBeLessThan(0);
    expect(compareQuantities('21474836480', '20Gi')).toBe(0);
  });

  it('rejects malformed quantities with the reason', () => {
    expect(quantityError('10 Gi')).toMatch(/without spaces/);
    expect(quantityError('Gi')).toMatch(/must start with a number/);
    expect(quantityError('10GB')).toMatch(/unknown suffix "GB"/);
    expect(() => parseQuantity('ten')).toThrow(/must start with a number/);
  });

  it('formats whole binary sizes', () => {
    expect(formatBinaryQuantity(20 * 2 ** 30)).toBe('20Gi');
    expect(formatBinaryQuantity(1536 * 2 ** 20)).toBe('1536Mi');
    expect(formatBinaryQuantity(1000)).toBe('1000');
  });
});

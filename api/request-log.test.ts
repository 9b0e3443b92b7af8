import { describe, expect, it } from 'vitest';
import { levelForStatus, requestIdFrom } from './request-log.js';

describe('request ids', () => {
  it("keeps a client's id when it is a sane token, else makes a UUID", () => {
    expect(requestIdFrom('gw-1234:abc')).toBe('gw-1234:abc');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'has space', 'x'.repeat(129), 'line\nbreak']) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});

describe('log levels', () => {
  it('logs server faults as errors, a feature not built as a warning, the rest as info', () => {
    expect(levelForStatus(500)).toBe('error');
    expect(levelForStatus(503)).toBe('error');
    expect(levelForStatus(501)).toBe('warn');
    expect(levelForStatus(404)).toBe('info');
    expect(levelForStatus(202)).toBe('info');
  });
});

import { describe, expect, it } from 'vitest';
import { normalizeVaultPrefix, prefixesConflict, prefixRelation } from './vault-prefixes.js';

describe('vault prefixes', () => {
  it('rejects the FAQ examples: / with /A, and /A with /A/B', () => {
    expect(prefixesConflict('/', '/A')).toBe(true);
    expect(prefixesConflict('/A', '/')).toBe(true);
    expect(prefixesConflict('/A', '/A/B')).toBe(true);
    expect(prefixesConflict('/A/B', '/A')).toBe(true);
  });

  it('allows siblings and names that merely share leading characters', () => {
    expect(prefixesConflict('/A', '/B')).toBe(false);
    expect(prefixesConflict('/A', '/AB')).toBe(false);
    expect(prefixesConflict('/A/B', '/A/C')).toBe(false);
  });

  it('treats the same directory twice as a conflict', () => {
    expect(prefixRelation('A/B', '/A/B/')).toBe('same');
    expect(prefixesConflict('A/B', '/A/B/')).toBe(true);
  });

  it('normalises slashes before comparing', () => {
    expect(normalizeVaultPrefix('/')).toBe('');
    expect(normalizeVaultPrefix('//A//B/')).toBe('A/B');
    expect(prefixRelation('A', '//A/B//')).toBe('parent');
    expect(prefixRelation('/A/B/C', 'A')).toBe('child');
  });

  it('refuses dot segments, which object stores would take literally', () => {
    expect(() => normalizeVaultPrefix('/A/../B')).toThrow(/'\.\.' segment/);
    expect(() => prefixesConflict('/A/./B', '/A')).toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { parseRestoreItems } from './restore-items.js';

describe('restore items document', () => {
  const item = { group: 'apps', version: 'v1', resource: 'replicasets', namespace: 'b', name: 'web-1' };

  it('reads the reason and code back', () => {
    const items = [{ ...item, outcome: 'skipped', code: 'Owned', reason: 'owned by deployment web' }];
    expect(parseRestoreItems(items)).toEqual(items);
  });

  it('reads restores recorded before the domain model, whose items said message for reason', () => {
    expect(parseRestoreItems([{ ...item, outcome: 'failed', code: 'ItemFailed', message: 'already exists' }])).toEqual([
      { ...item, outcome: 'failed', code: 'ItemFailed', reason: 'already exists' },
    ]);
  });

  it('refuses an unknown outcome, naming it', () => {
    expect(() => parseRestoreItems([{ ...item, outcome: 'exploded' }])).toThrow(/outcome/);
  });
});

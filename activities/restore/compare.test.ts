import { describe, expect, it } from 'vitest';
import { sameAsExisting } from './compare.js';

const desired = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'n', labels: { app: 'x', 'backup-center.io/restore': 'r1' } },
  data: { a: '1' },
};

describe('sameAsExisting', () => {
  it('ignores server-set metadata, defaults the server added, and the restore labels', () => {
    const existing = {
      ...desired,
      metadata: { name: 'c', namespace: 'n', uid: 'u', resourceVersion: '5', labels: { app: 'x', extra: 'y' } },
      data: { a: '1' },
      immutable: false,
    };
    expect(sameAsExisting(desired, existing, ['backup-center.io/restore'])).toBe(true);
  });

  it('sees a changed value, a missing label and a different array', () => {
    expect(sameAsExisting(desired, { ...desired, data: { a: '2' } }, ['backup-center.io/restore'])).toBe(false);
    expect(sameAsExisting(desired, { ...desired, metadata: { name: 'c', namespace: 'n', labels: {} } }, [])).toBe(
      false,
    );
    expect(sameAsExisting({ spec: { ports: [1, 2] } }, { spec: { ports: [1] } })).toBe(false);
  });
});

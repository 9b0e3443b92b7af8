import { describe, expect, it } from 'vitest';
import { addResult, addTaskResult, countResult, emptyResults, parseResults } from './results.js';

describe('results', () => {
  it('files messages the way Velero does: cluster-scoped, per namespace, or about the task itself', () => {
    const r = emptyResults();
    addResult(r.errors, 'shop', 'deployments.apps shop/web: forbidden');
    addResult(r.errors, 'shop', 'secrets shop/db: forbidden');
    addResult(r.errors, undefined, 'persistentvolumes pv-1: timeout');
    addTaskResult(r.warnings, 'vault slow');
    expect(r).toEqual({
      errors: {
        namespaces: { shop: ['deployments.apps shop/web: forbidden', 'secrets shop/db: forbidden'] },
        cluster: ['persistentvolumes pv-1: timeout'],
      },
      warnings: { velero: ['vault slow'] },
    });
    expect(countResult(r.errors)).toBe(3);
    expect(parseResults(JSON.parse(JSON.stringify(r)))).toEqual(r);
  });

  it('reads Velero documents that omit empty lists or carry nulls', () => {
    expect(parseResults({ errors: {}, warnings: { cluster: null, namespaces: { a: ['w'] } } })).toEqual({
      errors: {},
      warnings: { namespaces: { a: ['w'] } },
    });
    expect(() => parseResults({ errors: { cluster: 'x' }, warnings: {} })).toThrow(/invalid results document/);
  });
});

import { describe, expect, it } from 'vitest';
import { chooseRestoreVersion, compareVersionPriority, sortByVersionPriority } from './api-versions.js';

describe('Kubernetes version priority', () => {
  it('orders GA > beta > alpha, then by number', () => {
    expect(
      sortByVersionPriority(['v1alpha1', 'v1beta1', 'v1', 'v1beta2', 'v2', 'v2alpha1', 'v10', 'foo', 'bar']),
    ).toEqual(['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v2alpha1', 'v1alpha1', 'bar', 'foo']);
    expect(compareVersionPriority('v1', 'v1beta1')).toBeGreaterThan(0);
    expect(compareVersionPriority('v1beta1', 'v1')).toBeLessThan(0);
    expect(compareVersionPriority('v1', 'v1')).toBe(0);
  });
});

describe('chooseRestoreVersion', () => {
  it("uses the target cluster's preferred version when the backup has it (FAQ: Deployment from 1.16 into 1.28)", () => {
    const choice = chooseRestoreVersion({
      group: 'apps',
      resource: 'deployments',
      stored: { versions: ['v1', 'v1beta2', 'v1beta1'], preferred: 'v1' },
      served: { versions: ['v1'], preferred: 'v1' },
    });
    expect(choice).toEqual({ version: 'v1', reason: 'target-preferred' });
  });

  it('falls back to the highest version both sides have (HPA from 1.22 into 1.26: v2 not stored, GA v1 wins over v2beta2)', () => {
    const choice = chooseRestoreVersion({
      group: 'autoscaling',
      resource: 'horizontalpodautoscalers',
      stored: { versions: ['v1', 'v2beta1', 'v2beta2'], preferred: 'v1' },
      served: { versions: ['v2', 'v2beta2', 'v1'], preferred: 'v2' },
    });
    expect(choice).toEqual({ version: 'v1', reason: 'common-highest' });
    const betas = chooseRestoreVersion({
      group: 'example.io',
      resource: 'widgets',
      stored: { versions: ['v1alpha1', 'v1beta1', 'v1beta2'], preferred: 'v1beta1' },
      served: { versions: ['v1', 'v1beta2', 'v1beta1'], preferred: 'v1' },
    });
    expect(betas).toEqual({ version: 'v1beta2', reason: 'common-highest' });
  });

  it('honours a user priority that both sides have', () => {
    const choice = chooseRestoreVersion({
      group: 'example.io',
      resource: 'widgets',
      stored: { versions: ['v1', 'v2'], preferred: 'v2' },
      served: { versions: ['v1', 'v2'], preferred: 'v2' },
      userPriority: ['v3', 'v1'],
    });
    expect(choice).toEqual({ version: 'v1', reason: 'user-priority' });
  });

  it('fails with a message naming both sides (FAQ: Ingress from 1.16 into 1.22+)', () => {
    const choice = chooseRestoreVersion({
      group: 'networking.k8s.io',
      resource: 'ingresses',
      stored: { versions: ['v1beta1'], preferred: 'v1beta1' },
      served: { versions: ['v1'], preferred: 'v1' },
    });
    expect(choice.version).toBeNull();
    expect(choice.error).toBe(
      'no API version of ingresses.networking.k8s.io is served by both clusters: the backup holds networking.k8s.io/v1beta1, ' +
        'the target cluster serves networking.k8s.io/v1; deploy the resource manually',
    );
  });

  it('fails when the target does not serve the group at all (extensions/v1beta1 Ingress)', () => {
    const choice = chooseRestoreVersion({
      group: 'extensions',
      resource: 'ingresses',
      stored: { versions: ['v1beta1'], preferred: 'v1beta1' },
      served: undefined,
    });
    expect(choice).toMatchObject({ version: null, code: 'NoCommonApiVersion' });
    expect(choice.error).toContain('extensions/v1beta1');
    expect(choice.error).toContain('does not serve the API group extensions');
  });
});

import { describe, expect, it } from 'vitest';
import { podAction } from './pod.js';
import { barePod } from './testdata/objects.js';
import { run } from './testdata/run.js';

type PodSpec = Record<string, unknown> & {
  containers: Array<{ volumeMounts?: Array<{ name: string }> }>;
  volumes?: Array<{ name: string }>;
};

describe('Pod restore', () => {
  it('drops the node, the computed priority and the injected token volume', () => {
    const r = run(podAction, barePod());
    const spec = r.object.spec as PodSpec;
    expect(spec.nodeName).toBeUndefined();
    expect(spec.priority).toBeUndefined();
    expect(spec.preemptionPolicy).toBeUndefined();
    expect(spec.priorityClassName).toBe('high');
    expect(spec.volumes).toEqual([{ name: 'scratch', emptyDir: {} }]);
    expect(spec.containers[0]?.volumeMounts).toEqual([{ name: 'scratch', mountPath: '/scratch' }]);
  });

  it('drops a legacy <serviceaccount>-token-* secret volume too', () => {
    const pod = barePod();
    const spec = pod.spec as PodSpec;
    spec.volumes = [{ name: 'default-token-abcde' }];
    spec.containers = [{ volumeMounts: [{ name: 'default-token-abcde' }] }];
    const out = run(podAction, pod).object.spec as PodSpec;
    expect(out.volumes).toBeUndefined();
    expect(out.containers[0]?.volumeMounts).toBeUndefined();
  });

  it('drops ephemeral containers, which cannot be set on create, with a warning', () => {
    const r = run(podAction, barePod());
    expect((r.object.spec as PodSpec).ephemeralContainers).toBeUndefined();
    expect(r.warnings).toEqual([
      'Pod shop/debug: 1 ephemeral container(s) dropped (they cannot be set when a pod is created)',
    ]);
  });

  it('skips finished pods and mirror pods', () => {
    const done = barePod();
    done.status = { phase: 'Succeeded' };
    expect(run(podAction, done)).toMatchObject({ skip: true, reason: 'the pod has finished (phase Succeeded)' });
    const mirror = barePod();
    mirror.metadata.annotations = { 'kubernetes.io/config.mirror': 'abc' };
    expect(run(podAction, mirror)).toMatchObject({ skip: true, reason: expect.stringContaining('mirror pod') });
  });
});

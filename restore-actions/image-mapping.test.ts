import { describe, expect, it } from 'vitest';
import {
  applyImageMappings,
  mapImage,
  normalizeImage,
  parseImageMapping,
  parseImageReference,
} from './image-mapping.js';
import { barePod, cronJob, deployment, job } from './testdata/objects.js';

type Containers = Array<{ image: string }>;

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx'],
    ['app1:v1', 'docker.io/library/app1:v1'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox'],
    ['registry.example.com:5000/team/app:1.0', 'registry.example.com:5000/team/app:1.0'],
    ['localhost/app', 'localhost/app'],
    ['nginx@sha256:abc', 'docker.io/library/nginx@sha256:abc'],
  ])('%s normalises to %s', (image, normalized) => {
    expect(normalizeImage(image)).toBe(normalized);
  });

  it('keeps a registry port apart from a tag', () => {
    expect(parseImageReference('registry.example.com:5000/app')).toEqual({
      domain: 'registry.example.com:5000',
      path: 'app',
    });
  });
});

describe('imageRegistryMapping (FAQ example)', () => {
  const m = { imageRegistryMapping: { 'docker.io/library/': 'registry.cn-beijing.aliyuncs.com/my-registry/' } };

  it('maps docker.io/library/app1:v1, and images written without a registry', () => {
    expect(mapImage('docker.io/library/app1:v1', m)).toBe('registry.cn-beijing.aliyuncs.com/my-registry/app1:v1');
    expect(mapImage('app1:v1', m)).toBe('registry.cn-beijing.aliyuncs.com/my-registry/app1:v1');
    expect(mapImage('nginx', m)).toBe('registry.cn-beijing.aliyuncs.com/my-registry/nginx');
  });

  it('leaves other registries and other docker.io namespaces alone', () => {
    expect(mapImage('quay.io/prometheus/node-exporter:v1.7.0', m)).toBeUndefined();
    expect(mapImage('bitnami/redis:7.2', m)).toBeUndefined();
  });

  it('the longest prefix wins; a prefix without / ends at a component boundary', () => {
    const two = {
      imageRegistryMapping: { 'docker.io/': 'mirror.example.com/', 'docker.io/library/': 'lib.example.com/' },
    };
    expect(mapImage('nginx:1.25', two)).toBe('lib.example.com/nginx:1.25');
    expect(mapImage('bitnami/redis', two)).toBe('mirror.example.com/bitnami/redis');
    expect(mapImage('quay.io/coreos/etcd', { imageRegistryMapping: { 'quay.io': 'mirror.example.com' } })).toBe(
      'mirror.example.com/coreos/etcd',
    );
    expect(
      mapImage('quay.iox/coreos/etcd', { imageRegistryMapping: { 'quay.io': 'mirror.example.com' } }),
    ).toBeUndefined();
  });
});

describe('imageMapping cases (the FAQ four forms)', () => {
  const original = 'docker.io/library/app1:v1';

  it('repository and tag: app1:v1,app2:v2', () => {
    expect(mapImage(original, { imageMapping: { case1: 'app1:v1,app2:v2' } })).toBe('docker.io/library/app2:v2');
    expect(mapImage('app1:v1', { imageMapping: { case1: 'app1:v1,app2:v2' } })).toBe('app2:v2');
    expect(mapImage('app1:v0', { imageMapping: { case1: 'app1:v1,app2:v2' } })).toBeUndefined();
  });

  it('repository only: app1,app2 keeps the tag', () => {
    expect(mapImage(original, { imageMapping: { case1: 'app1,app2' } })).toBe('docker.io/library/app2:v1');
    expect(mapImage('registry.example.com/team/app1:v3', { imageMapping: { case1: 'app1,app2' } })).toBe(
      'registry.example.com/team/app2:v3',
    );
    expect(mapImage('app10:v1', { imageMapping: { case1: 'app1,app2' } })).toBeUndefined();
  });

  it('tag only: v1:v2', () => {
    expect(mapImage(original, { imageMapping: { case1: 'v1:v2' } })).toBe('docker.io/library/app1:v2');
    expect(mapImage('nginx', { imageMapping: { case1: 'latest:1.25' } })).toBe('nginx:1.25');
  });

  it('full reference', () => {
    const m = {
      imageMapping: { case1: 'docker.io/library/app1:v1,registry.cn-beijing.aliyuncs.com/my-registry/app2:v2' },
    };
    expect(mapImage(original, m)).toBe('registry.cn-beijing.aliyuncs.com/my-registry/app2:v2');
    expect(mapImage('app1:v1', m)).toBe('registry.cn-beijing.aliyuncs.com/my-registry/app2:v2');
    expect(mapImage('registry.example.com/app1:v1', m)).toBeUndefined();
  });

  it('a new tag replaces a digest that pinned the old content', () => {
    expect(mapImage('app1:v1@sha256:0123', { imageMapping: { case1: 'app1:v1,app2:v2' } })).toBe('app2:v2');
    expect(mapImage('app1@sha256:0123', { imageMapping: { case1: 'app1,app2' } })).toBe('app2@sha256:0123');
  });

  it('cases apply in natural key order, first match only, then the registry mapping', () => {
    const m = {
      imageMapping: { case10: 'app1,never', case2: 'app1:v1,app2:v2', case1: 'v9:v10' },
      imageRegistryMapping: { 'docker.io/library/': 'registry.example.com/my/' },
    };
    expect(mapImage('app1:v1', m)).toBe('registry.example.com/my/app2:v2');
  });

  it('rejects malformed cases naming the case', () => {
    expect(parseImageMapping({ case1: 'app1', case2: 'app1:v1,', case3: 'v1:v2' }).errors).toEqual([
      { path: 'imageMapping.case1', message: expect.stringContaining('is none of') },
      { path: 'imageMapping.case2', message: '"app1:v1,": the new image is not a valid image reference' },
    ]);
  });
});

describe('applied to workloads', () => {
  const m = {
    imageRegistryMapping: { 'docker.io/library/': 'registry.example.com/my/' },
    imageMapping: { case1: 'app1:v1,app2:v2' },
  };

  it('changes containers and initContainers of a Deployment and reports each change', () => {
    const d = deployment();
    const changes = applyImageMappings(d, m);
    expect(changes).toEqual([
      { path: 'spec.template.spec.containers[0].image', from: 'app1:v1', to: 'registry.example.com/my/app2:v2' },
      {
        path: 'spec.template.spec.containers[1].image',
        from: 'docker.io/library/nginx',
        to: 'registry.example.com/my/nginx',
      },
      {
        path: 'spec.template.spec.initContainers[0].image',
        from: 'busybox:1.36',
        to: 'registry.example.com/my/busybox:1.36',
      },
    ]);
    const spec = (d.spec as { template: { spec: { containers: Containers } } }).template.spec;
    expect(spec.containers[2]?.image).toBe('quay.io/prometheus/node-exporter:v1.7.0');
  });

  it('Jobs, CronJobs (jobTemplate) and Pods, including ephemeral containers', () => {
    expect(applyImageMappings(job(), m).map((c) => c.path)).toEqual(['spec.template.spec.containers[0].image']);
    expect(applyImageMappings(cronJob(), m).map((c) => c.path)).toEqual([
      'spec.jobTemplate.spec.template.spec.containers[0].image',
    ]);
    expect(applyImageMappings(barePod(), m).map((c) => c.path)).toEqual([
      'spec.containers[0].image',
      'spec.ephemeralContainers[0].image',
    ]);
  });

  it('no mappings, no changes', () => {
    expect(applyImageMappings(deployment(), {})).toEqual([]);
  });
});

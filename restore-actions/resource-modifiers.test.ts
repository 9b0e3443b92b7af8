import { describe, expect, it } from 'vitest';
import {
  applyResourceModifiers,
  groupResourceMatches,
  parseResourceModifiers,
  patchValue,
  type ResourceModifiers,
} from './resource-modifiers.js';
import { parseResourceModifiersYaml } from './resource-modifiers-yaml.js';
import { deployment, diskPvc } from './testdata/objects.js';
import type { KubeObject } from '../resources/types.js';

function parse(input: unknown): ResourceModifiers {
  const r = parseResourceModifiersYaml(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const mysqlPvc = (): KubeObject => {
  const p = diskPvc();
  p.metadata.labels = { foo: 'bar', test: 'x' };
  return p;
};

describe('parsing and validation', () => {
  it("accepts the Velero docs' YAML template as is", () => {
    const yaml = `
version: v1
resourceModifierRules:
- conditions:
     groupResource: persistentvolumeclaims
     resourceNameRegex: "^data-mysql.*$"
     namespaces:
     - bar
     - shop
     labelSelector:
        matchLabels:
           foo: bar
  patches:
  - operation: replace
    path: "/spec/storageClassName"
    value: "premium"
  - operation: remove
    path: "/metadata/labels/test"
`;
    const mods = parse(yaml);
    const out = applyResourceModifiers(mysqlPvc(), 'persistentvolumeclaims', mods);
    expect(out.errors).toEqual([]);
    expect(out.applied).toEqual([0]);
    expect((out.object.spec as { storageClassName: string }).storageClassName).toBe('premium');
    expect(out.object.metadata.labels).toEqual({ foo: 'bar' });
  });

  it('names the bad field', () => {
    const r = parseResourceModifiersYaml({
      version: 'v2',
      resourceModifierRules: [
        {
          conditions: { groupResource: '', resourceNameRegex: '([' },
          patches: [
            { operation: 'upsert', path: 'spec' },
            { operation: 'copy', path: '/a' },
            { operation: 'add', path: '/a' },
          ],
        },
        {
          conditions: {
            groupResource: 'pods',
            labelSelector: { matchExpressions: [{ key: 'a', operator: 'Equals' }] },
          },
          mergePatches: [{ patchData: 'a: [' }],
        },
        { conditions: { groupResource: 'pods' } },
        {
          conditions: { groupResource: 'pods' },
          patches: [{ operation: 'remove', path: '/a' }],
          mergePatches: [{ patchData: '{}' }],
        },
      ],
    });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    const at = (path: string) => errors.filter((e) => e.path === path).map((e) => e.message);
    expect(at('version')).toEqual(['unsupported resource modifier version (only v1)']);
    expect(at('resourceModifierRules[0].conditions.groupResource')).toEqual(['groupResource cannot be empty']);
    expect(at('resourceModifierRules[0].conditions.resourceNameRegex')[0]).toMatch(/not a valid regular expression/);
    expect(at('resourceModifierRules[0].patches[0].operation')[0]).toMatch(
      /operation must be one of add, remove, replace, move, copy, test/,
    );
    expect(at('resourceModifierRules[0].patches[0].path')[0]).toMatch(/must start with '\/'/);
    expect(at('resourceModifierRules[0].patches[1].from')).toEqual(['from is required for copy']);
    expect(at('resourceModifierRules[0].patches[2].value')).toEqual(['value is required for add']);
    expect(at('resourceModifierRules[1].conditions.labelSelector')[0]).toMatch(/matchExpressions\[0\]\.operator/);
    expect(at('resourceModifierRules[1].mergePatches[0].patchData')[0]).toMatch(/not valid YAML\/JSON/);
    expect(at('resourceModifierRules[2]')).toEqual(['a rule needs patches, mergePatches or strategicPatches']);
    expect(at('resourceModifierRules[3].mergePatches')).toEqual([
      'only one of patches, mergePatches may be set in a rule',
    ]);
  });

  it('without the YAML reader, text is JSON and patchData may be an object', () => {
    const rule = (patchData: unknown) => ({
      version: 'v1',
      resourceModifierRules: [{ conditions: { groupResource: 'pods' }, mergePatches: [{ patchData }] }],
    });
    expect(parseResourceModifiers(rule('metadata: {labels: {a: b}}'))).toMatchObject({
      ok: false,
      errors: [
        {
          path: 'resourceModifierRules[0].mergePatches[0].patchData',
          message: expect.stringContaining('is not valid JSON'),
        },
      ],
    });
    expect(parseResourceModifiers(rule('{"metadata": {"labels": {"a": "b"}}}')).ok).toBe(true);
    expect(parseResourceModifiers(rule({ metadata: { labels: { a: 'b' } } })).ok).toBe(true);
    expect(parseResourceModifiers(JSON.stringify(rule({})))).toMatchObject({ ok: true });
    expect(parseResourceModifiers('version: v1')).toMatchObject({
      ok: false,
      errors: [{ path: '', message: expect.stringContaining('not valid JSON') }],
    });
  });

  it('rejects empty rules and unknown fields', () => {
    expect(parseResourceModifiers({ version: 'v1', resourceModifierRules: [] })).toMatchObject({
      ok: false,
      errors: [{ path: 'resourceModifierRules', message: 'resource modifier rules cannot be empty' }],
    });
    const r = parseResourceModifiers({
      version: 'v1',
      resourceModifierRules: [{ conditions: { groupResource: 'pods', groupKind: 'x' }, patches: [] }],
    });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toContain('resourceModifierRules[0].conditions');
  });
});

describe('Velero value rules', () => {
  it.each([
    ['premium', 'premium'],
    ['3', 3],
    ['true', true],
    ['null', null],
    ['{"a": 1}', { a: 1 }],
    ['"3"', '3'],
    ['', ''],
  ])('%j -> %j', (input, out) => {
    expect(patchValue(input)).toEqual(out);
  });
});

describe('conditions', () => {
  it('groupResource is a glob with . as separator', () => {
    expect(groupResourceMatches('*.apps', 'deployments.apps')).toBe(true);
    expect(groupResourceMatches('*', 'deployments.apps')).toBe(false);
    expect(groupResourceMatches('*', 'pods')).toBe(true);
    expect(groupResourceMatches('**', 'deployments.apps')).toBe(true);
    expect(groupResourceMatches('{deployments,statefulsets}.apps', 'statefulsets.apps')).toBe(true);
    expect(groupResourceMatches('deployments.apps', 'deploymentsxapps')).toBe(false);
  });

  it('namespaces, name regex, labels and matches must all hold', () => {
    const rule = (conditions: Record<string, unknown>) =>
      parse({
        version: 'v1',
        resourceModifierRules: [
          {
            conditions: { groupResource: 'persistentvolumeclaims', ...conditions },
            patches: [{ operation: 'add', path: '/metadata/labels/hit', value: 'yes' }],
          },
        ],
      });
    const hit = (conditions: Record<string, unknown>) =>
      applyResourceModifiers(mysqlPvc(), 'persistentvolumeclaims', rule(conditions)).object.metadata.labels?.hit ===
      'yes';
    expect(hit({})).toBe(true);
    expect(hit({ namespaces: ['other'] })).toBe(false);
    expect(hit({ namespaces: ['sh*'] })).toBe(true);
    expect(hit({ resourceNameRegex: 'mysql' })).toBe(true);
    expect(hit({ resourceNameRegex: '^mysql' })).toBe(false);
    expect(hit({ labelSelector: { matchLabels: { foo: 'baz' } } })).toBe(false);
    expect(hit({ matches: [{ path: '/spec/storageClassName', value: 'alicloud-disk-essd' }] })).toBe(true);
    expect(hit({ matches: [{ path: '/spec/storageClassName', value: 'premium' }] })).toBe(false);
    expect(hit({ matches: [{ path: '/spec/nothing', value: 'x' }] })).toBe(false);
    expect(applyResourceModifiers(mysqlPvc(), 'pods', rule({})).applied).toEqual([]);
  });

  it('cluster-scoped objects ignore the namespaces condition', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: 'namespaces', namespaces: ['shop'] },
          mergePatches: [{ patchData: 'metadata: {labels: {restored: "true"}}' }],
        },
      ],
    });
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'whatever' } };
    expect(applyResourceModifiers(ns, 'namespaces', mods).object.metadata.labels).toEqual({ restored: 'true' });
  });
});

describe('patches', () => {
  it('a failing test op skips the rule silently (conditional patch from the Velero docs)', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: 'persistentvolumeclaims', resourceNameRegex: '.*' },
          patches: [
            { operation: 'test', path: '/spec/storageClassName', value: 'premium' },
            { operation: 'replace', path: '/spec/storageClassName', value: 'standard' },
          ],
        },
      ],
    });
    const out = applyResourceModifiers(mysqlPvc(), 'persistentvolumeclaims', mods);
    expect(out.errors).toEqual([]);
    expect(out.applied).toEqual([]);
    expect((out.object.spec as { storageClassName: string }).storageClassName).toBe('alicloud-disk-essd');
  });

  it('an escaped JSON value and copy (Velero docs "other examples")', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: 'deployments.apps', resourceNameRegex: '^web$', namespaces: ['shop'] },
          patches: [
            {
              operation: 'add',
              path: '/spec/template/spec/containers/0',
              value: '{"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}]}',
            },
            { operation: 'copy', from: '/spec/template/spec/containers/0', path: '/spec/template/spec/containers/1' },
            { operation: 'replace', path: '/spec/replicas', value: '5' },
          ],
        },
      ],
    });
    const out = applyResourceModifiers(deployment(), 'deployments.apps', mods);
    const spec = out.object.spec as { replicas: number; template: { spec: { containers: Array<{ name: string }> } } };
    expect(spec.replicas).toBe(5);
    expect(spec.template.spec.containers.map((c) => c.name)).toEqual(['nginx', 'nginx', 'web', 'sidecar', 'metrics']);
  });

  it('a bad patch fails the item with the rule named', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        { conditions: { groupResource: '*.apps' }, patches: [{ operation: 'remove', path: '/spec/nope' }] },
      ],
    });
    expect(applyResourceModifiers(deployment(), 'deployments.apps', mods).errors).toEqual([
      'resource modifier rule 0: operation 0 (remove): /spec/nope: path does not exist',
    ]);
  });

  it('merge patch: null deletes an annotation', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: 'deployments.apps' },
          mergePatches: [{ patchData: '{"metadata": {"annotations": {"deployment.kubernetes.io/revision": null}}}' }],
        },
      ],
    });
    expect(applyResourceModifiers(deployment(), 'deployments.apps', mods).object.metadata.annotations).toEqual({});
  });

  it('strategic patch: changes one container by name; refused for custom resources', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: '**' },
          strategicPatches: [
            {
              patchData:
                'spec:\n  template:\n    spec:\n      containers:\n      - name: sidecar\n        image: repo2/nginx\n',
            },
          ],
        },
      ],
    });
    const out = applyResourceModifiers(deployment(), 'deployments.apps', mods);
    const containers = (
      out.object.spec as { template: { spec: { containers: Array<{ name: string; image: string }> } } }
    ).template.spec.containers;
    expect(containers.map((c) => `${c.name}=${c.image}`)).toEqual([
      'web=app1:v1',
      'sidecar=repo2/nginx',
      'metrics=quay.io/prometheus/node-exporter:v1.7.0',
    ]);
    const cr: KubeObject = {
      apiVersion: 'example.io/v1',
      kind: 'Widget',
      metadata: { name: 'w', namespace: 'shop' },
      spec: {},
    };
    expect(applyResourceModifiers(cr, 'widgets.example.io', mods).errors[0]).toMatch(
      /not supported for custom resources/,
    );
  });

  it('conditions are judged on the object before earlier rules patched it (as Velero)', () => {
    const mods = parse({
      version: 'v1',
      resourceModifierRules: [
        {
          conditions: { groupResource: 'deployments.apps' },
          patches: [{ operation: 'add', path: '/metadata/labels/stage', value: 'one' }],
        },
        {
          conditions: { groupResource: 'deployments.apps', labelSelector: { matchLabels: { stage: 'one' } } },
          patches: [{ operation: 'add', path: '/metadata/labels/second', value: 'yes' }],
        },
      ],
    });
    const out = applyResourceModifiers(deployment(), 'deployments.apps', mods);
    expect(out.applied).toEqual([0]);
    expect(out.object.metadata.labels).toEqual({ app: 'web', stage: 'one' });
  });
});

import { describe, expect, it } from 'vitest';
import {
  LabelSelectorError,
  labelFilter,
  orLabelSelectors,
  parseLabelSelector,
  validateLabelSelector,
} from './label-selector.js';

const web = { app: 'web', tier: 'frontend', env: 'prod' };
const db = { app: 'db', tier: 'backend', env: 'staging', legacy: 'true' };

describe('string selectors', () => {
  it('equality: =, == and !=', () => {
    expect(parseLabelSelector('app=web').matches(web)).toBe(true);
    expect(parseLabelSelector('app==web').matches(web)).toBe(true);
    expect(parseLabelSelector('app=web').matches(db)).toBe(false);
    expect(parseLabelSelector('app!=web').matches(db)).toBe(true);
    // != also matches objects without the label, as in Kubernetes
    expect(parseLabelSelector('app!=web').matches({})).toBe(true);
  });

  it('set-based: in, notin', () => {
    const s = parseLabelSelector('env in (prod, staging)');
    expect(s.matches(web)).toBe(true);
    expect(s.matches(db)).toBe(true);
    expect(s.matches({ env: 'dev' })).toBe(false);
    expect(s.matches({})).toBe(false);
    const n = parseLabelSelector('env notin (prod)');
    expect(n.matches(web)).toBe(false);
    expect(n.matches(db)).toBe(true);
    expect(n.matches({})).toBe(true);
  });

  it('existence: key and !key', () => {
    expect(parseLabelSelector('legacy').matches(db)).toBe(true);
    expect(parseLabelSelector('legacy').matches(web)).toBe(false);
    expect(parseLabelSelector('!legacy').matches(web)).toBe(true);
    expect(parseLabelSelector('!legacy').matches(db)).toBe(false);
  });

  it('commas are AND, outside parentheses only', () => {
    const s = parseLabelSelector('app in (web,db),tier=frontend,!legacy');
    expect(s.requirements).toHaveLength(3);
    expect(s.matches(web)).toBe(true);
    expect(s.matches(db)).toBe(false);
  });

  it('prefixed keys and the empty selector', () => {
    expect(parseLabelSelector('app.kubernetes.io/name=nginx').matches({ 'app.kubernetes.io/name': 'nginx' })).toBe(
      true,
    );
    expect(parseLabelSelector('').matches(undefined)).toBe(true);
    expect(parseLabelSelector('  ').matches(web)).toBe(true);
  });

  it('canonical string form', () => {
    expect(parseLabelSelector('tier!=db, app in (web,api), !legacy').toString()).toBe(
      'app in (api,web),!legacy,tier!=db',
    );
  });

  it.each([
    ['app=web,', '', 'empty requirement'],
    ['app in ()', 'app in ()', 'at least one value'],
    ['app in (a', 'app in (a', "missing ')'"],
    ['-app=web', '-app', 'name part'],
    ['app=we b', 'we b', 'value must consist'],
    ['app=web=x', 'app=web=x', 'more than one operator'],
    ['app foo web', 'app foo web', 'unknown operator'],
    ['=web', '=web', 'missing key'],
    ['Example.com/app=x', 'Example.com/app', 'prefix part'],
    ['!app=x', '!app=x', "'!' takes a key only"],
  ])('rejects %j naming the bad part', (sel, part, reason) => {
    try {
      parseLabelSelector(sel);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LabelSelectorError);
      expect((e as LabelSelectorError).part).toBe(part);
      expect((e as Error).message).toContain(reason);
      expect((e as Error).message).toContain(JSON.stringify(sel));
    }
  });
});

describe('object selectors', () => {
  it('matchLabels and matchExpressions are ANDed', () => {
    const s = parseLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'staging'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(s.matches(web)).toBe(true);
    expect(s.matches({ ...web, legacy: 'yes' })).toBe(false);
    expect(s.matches({ ...web, env: 'dev' })).toBe(false);
  });

  it('an empty object matches everything', () => {
    expect(parseLabelSelector({}).matches(web)).toBe(true);
  });

  it('names the bad field', () => {
    expect(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] })).toMatch(
      /matchExpressions\[0\]\.operator.*not one of In, NotIn, Exists, DoesNotExist/,
    );
    expect(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toMatch(
      /matchExpressions\[0\]\.values.*non-empty/,
    );
    expect(validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toMatch(
      /must be empty/,
    );
    expect(validateLabelSelector({ matchLabels: { app: 'a b' } })).toMatch(/matchLabels\.app/);
    expect(validateLabelSelector('app=web')).toBeUndefined();
  });
});

describe('orLabelSelectors', () => {
  it('matches when any selector matches', () => {
    const m = orLabelSelectors(['app=web', { matchLabels: { tier: 'backend' } }]);
    expect(m.matches(web)).toBe(true);
    expect(m.matches(db)).toBe(true);
    expect(m.matches({ app: 'cache' })).toBe(false);
    expect(orLabelSelectors([]).matches({})).toBe(true);
  });

  it('labelSelector and orLabelSelectors are exclusive', () => {
    expect(() => labelFilter({ labelSelector: 'a=b', orLabelSelectors: ['c=d'] })).toThrow(/cannot both be set/);
    expect(labelFilter({ orLabelSelectors: ['app=db'] }).matches(db)).toBe(true);
    expect(labelFilter({}).matches(db)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { deleteWorkflowId } from '../temporal/workflow-ids.js';
import {
  deleteRequestName,
  DeleteRequestSchema,
  MAX_DELETE_REQUEST_NAME,
  parseDeleteRequestName,
} from './delete-request.js';
import { ObjectNameSchema } from './values.js';

// An object name may be 253 characters; `<type>-<object>` would then pass the 253 a name may have.
const long = (fill: string, n = 253) => fill.repeat(Math.ceil(n / fill.length)).slice(0, n);

describe('delete request names', () => {
  it('keep <type>-<object> when it fits', () => {
    expect(deleteRequestName('Backup', 'nginx-1')).toBe('backup-nginx-1');
    const fits = long('a', MAX_DELETE_REQUEST_NAME - 'backup-'.length);
    expect(deleteRequestName('Backup', fits)).toBe(`backup-${fits}`);
    expect(deleteWorkflowId('Backup', 'nginx-1')).toBe('delete/backup/nginx-1');
  });

  it('fit 253 characters for a 253-character object, stay readable and valid, and are stable', () => {
    const object = long('shop-nightly-backup.');
    const name = deleteRequestName('Schedule', object);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(ObjectNameSchema.safeParse(name).success).toBe(true);
    // Readable: the type, then the object's own beginning, then a short hash.
    expect(name).toMatch(/^schedule-shop-nightly-backup\.shop-nightly-backup\..*-[0-9a-f]{12}$/);
    expect(object.startsWith(name.slice('schedule-'.length, -13))).toBe(true);
    expect(deleteRequestName('Schedule', object)).toBe(name);
    // No '-' or '.' right before the hash's '-', whatever the cut falls on.
    for (let n = 240; n <= 253; n++) {
      const cut = deleteRequestName('Restore', `${long('a.b-', n - 1)}z`);
      expect(ObjectNameSchema.safeParse(cut).success, cut).toBe(true);
    }
  });

  it('are distinct for distinct long objects sharing their beginning', () => {
    const base = long('x', 250);
    const names = new Set(['a', 'b', 'c', 'aa', 'ab'].map((end) => deleteRequestName('Backup', `${base}${end}`)));
    expect(names.size).toBe(5);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(253);
  });

  it('lead back to the delete workflow: the name finds the workflow id made from the object', () => {
    for (const object of ['nginx-1', long('a'), long('shop.', 250), long('b', 246)]) {
      const name = deleteRequestName('Backup', object);
      const parsed = parseDeleteRequestName(name)!;
      expect(parsed.type).toBe('Backup');
      expect(deleteWorkflowId(parsed.type, parsed.object)).toBe(deleteWorkflowId('Backup', object));
      expect(DeleteRequestSchema.shape.name.safeParse(name).success, `${name.length} characters: ${name}`).toBe(true);
    }
    // Distinct long objects get distinct workflows, so one's request never blocks the other's.
    expect(deleteWorkflowId('Backup', `${long('q', 252)}1`)).not.toBe(deleteWorkflowId('Backup', `${long('q', 252)}2`));
  });
});

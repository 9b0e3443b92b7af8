import { describe, expect, it } from 'vitest';
import { deleteRequestName, parseDeleteRequestName } from './delete-requests.js';

describe('delete request names', () => {
  it('are <type>-<object>, read back unambiguously whatever the object is called', () => {
    expect(deleteRequestName('Backup', 'nginx-1')).toBe('backup-nginx-1');
    expect(parseDeleteRequestName('backup-nginx-1')).toEqual({ type: 'Backup', object: 'nginx-1' });
    // A backup named like another type's request is still a backup.
    expect(parseDeleteRequestName(deleteRequestName('Backup', 'restore-x'))).toEqual({
      type: 'Backup',
      object: 'restore-x',
    });
    expect(parseDeleteRequestName(deleteRequestName('Restore', 'x'))).toEqual({ type: 'Restore', object: 'x' });
    expect(parseDeleteRequestName(deleteRequestName('Schedule', 'nightly'))).toEqual({
      type: 'Schedule',
      object: 'nightly',
    });
    expect(parseDeleteRequestName(deleteRequestName('Convert', 'b.1'))).toEqual({ type: 'Convert', object: 'b.1' });
  });

  it('without a type prefix name nothing', () => {
    expect(parseDeleteRequestName('nginx-1-dbr')).toBeUndefined();
    expect(parseDeleteRequestName('backup-')).toBeUndefined();
  });
});

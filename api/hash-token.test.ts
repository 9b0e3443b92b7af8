import { describe, expect, it } from 'vitest';
import { hashToken } from './auth.js';
import { hashTokenCli, tokenConfigEntry } from './hash-token.js';

describe('hash-token', () => {
  it('prints a config entry with the hash, never the token', () => {
    const result = hashTokenCli(['ci-bot', 'operator'], 's3cr3t\n');
    expect(result).toEqual({ code: 0, stdout: tokenConfigEntry('ci-bot', 'operator', 's3cr3t'), stderr: '' });
    expect(result.stdout).toContain(hashToken('s3cr3t'));
    expect(result.stdout).not.toContain('s3cr3t');
  });

  it.each([[[]], [['a']], [['a', 'root']], [['a', 'admin', 'extra']]])('refuses arguments %j', (argv) => {
    expect(hashTokenCli(argv, 'x')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('usage') });
  });

  it('refuses an empty token', () => {
    expect(hashTokenCli(['a', 'viewer'], '\n')).toMatchObject({
      code: 2,
      stderr: 'hash-token: empty token on stdin\n',
    });
  });
});

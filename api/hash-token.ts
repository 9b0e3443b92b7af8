// Prints the `config.tokens` entry for a bearer token: the token's SHA-256, never the token.
//   echo -n "$TOKEN" | npx tsx api/hash-token.ts <name> <viewer|operator|admin>
// The token is read from stdin so that it stays out of shell history and process lists.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { hashToken } from './auth.js';
import { ROLES, type Role } from '../domain/roles.js';

/** The YAML list item to add under `tokens:`. */
export function tokenConfigEntry(name: string, role: Role, token: string): string {
  return `- name: ${JSON.stringify(name)}\n  sha256: ${hashToken(token)}\n  role: ${role}\n`;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The command without its I/O: arguments and the text read from stdin in, output out. */
export function hashTokenCli(argv: readonly string[], stdin: string): CliResult {
  const [name, role, ...rest] = argv;
  if (name === undefined || role === undefined || rest.length > 0 || !(ROLES as readonly string[]).includes(role)) {
    return { code: 2, stdout: '', stderr: `usage: hash-token <name> <${ROLES.join('|')}>  (token on stdin)\n` };
  }
  const token = stdin.replace(/\r?\n$/, '');
  if (token === '') return { code: 2, stdout: '', stderr: 'hash-token: empty token on stdin\n' };
  return { code: 0, stdout: tokenConfigEntry(name, role as Role, token), stderr: '' };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = hashTokenCli(process.argv.slice(2), readFileSync(0, 'utf8'));
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.code;
}

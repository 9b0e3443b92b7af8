// What a filesystem vault's directory may be: inside its root without a symbolic link leading out,
// and empty or already a vault.

import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { filesystemVaultRefusal, foreignEntries, symlinkEscape } from './open.js';

const base = realpathSync(mkdtempSync(join(tmpdir(), 'vault-open-')));
const root = join(base, 'root');
const outside = join(base, 'outside');
mkdirSync(join(root, 'inner'), { recursive: true });
mkdirSync(outside);
symlinkSync(outside, join(root, 'out-link'));
symlinkSync(join(root, 'inner'), join(root, 'in-link'));
symlinkSync(join(base, 'nowhere'), join(root, 'dangling'));
symlinkSync(root, join(root, 'self'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('symlinkEscape', () => {
  it('refuses a vault directory that is, or lies under, a symbolic link leading out of the root', async () => {
    for (const dir of [join(root, 'out-link'), join(root, 'out-link', 'v'), join(root, 'out-link', 'a', 'b')]) {
      expect(await symlinkEscape(dir, [root]), dir).toMatch(
        new RegExp(`leads out of the vault root ${root} through a symbolic link .*-> ${outside}\\)$`),
      );
    }
  });

  it('refuses a dangling link (creating the vault would follow it) and a link back to the root itself', async () => {
    expect(await symlinkEscape(join(root, 'dangling', 'v'), [root])).toMatch(/a target that does not exist/);
    expect(await symlinkEscape(join(root, 'self'), [root])).toMatch(/through a symbolic link/);
  });

  it('accepts plain and not-yet-existing directories, links that stay inside, and places in no root', async () => {
    for (const dir of [
      join(root, 'inner'),
      join(root, 'new', 'v'),
      join(root, 'in-link'),
      join(root, 'in-link', 'v'),
    ]) {
      expect(await symlinkEscape(dir, [root]), dir).toBeUndefined();
    }
    expect(await symlinkEscape(join(outside, 'v'), [root])).toBeUndefined();
  });

  it('judges a directory against the root that holds it, among several', async () => {
    expect(await symlinkEscape(join(root, 'out-link'), [outside, root])).toMatch(/through a symbolic link/);
  });
});

describe('foreign content', () => {
  const dir = (name: string, files: Record<string, string | null>) => {
    const path = join(base, name);
    for (const [file, body] of Object.entries(files)) {
      if (body === null) mkdirSync(join(path, file), { recursive: true });
      else {
        mkdirSync(join(path, file, '..'), { recursive: true });
        writeFileSync(join(path, file), body);
      }
    }
    mkdirSync(path, { recursive: true });
    return path;
  };

  it("a missing or empty directory, or a vault (ours or Velero's), has none", async () => {
    expect(await foreignEntries(join(base, 'missing'))).toEqual([]);
    expect(await foreignEntries(dir('empty', {}))).toEqual([]);
    const vault = dir('vault', {
      'metadata/backup-center-vault.json': '{}',
      'backups/b/x': 'x',
      '.vault-staging': null,
    });
    expect(await foreignEntries(vault)).toEqual([]);
    expect(await filesystemVaultRefusal(vault, [base])).toBeUndefined();
  });

  it('names every foreign entry: files, other directories, and links even under a Velero name', async () => {
    const path = dir('mixed', { 'notes.txt': 'x', 'app-data/x': 'x', backups: null });
    symlinkSync(outside, join(path, 'restores'));
    expect(await foreignEntries(path)).toEqual([
      { name: 'app-data', directory: true },
      { name: 'notes.txt', directory: false },
      { name: 'restores', directory: false },
    ]);
    expect(await filesystemVaultRefusal(path, [base])).toBe(
      `VaultError: backup vault is unavailable: ${path} is not empty and is not a backup vault: it holds [app-data notes.txt restores]; a vault needs an empty directory or an existing vault's`,
    );
  });

  it("says foreign directories alone in Velero's words, as the vault's validation does", async () => {
    const path = dir('dirs', { 'foreign-data/notes.txt': 'x' });
    expect(await filesystemVaultRefusal(path, [base])).toBe(
      'Backup store contains invalid top-level directories: [foreign-data]',
    );
  });

  it('refuses a symbolic link out of the root before looking inside', async () => {
    expect(await filesystemVaultRefusal(join(root, 'out-link'), [root])).toMatch(
      /^VaultError: backup vault is unavailable: .* leads out of the vault root/,
    );
  });
});

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The direction of dependencies is enforced by eslint.config.js; this proves the rule bites.
const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('dependency direction', () => {
  it.each([
    ['domain/x.ts', "import { NameParamsSchema } from '../api/schemas.js';\nexport const x = NameParamsSchema;\n"],
    ['domain/x.ts', "import { statusQuery } from '../temporal/messages.js';\nexport const x = statusQuery;\n"],
    ['temporal/x.ts', "import { openVault } from '../vault/open.js';\nexport const x = openVault;\n"],
    ['workflows/x.ts', "import { openVault } from '../vault/open.js';\nexport const x = openVault;\n"],
    [
      'workflows/x.ts',
      "import { ProgressReporter } from '../activities/progress.js';\nexport const x = ProgressReporter;\n",
    ],
    ['activities/vault/x.ts', "import { createApp } from '../../api/server.js';\nexport const x = createApp;\n"],
    ['activities/x.ts', "import type { BackupInput } from '../workflows/backup.js';\nexport type X = BackupInput;\n"],
    [
      'clients/x.ts',
      "import { createVaultActivities } from '../activities/vault/control.js';\nexport const x = createVaultActivities;\n",
    ],
    ['config/x.ts', "import { validateBody } from '../api/validate.js';\nexport const x = validateBody;\n"],
    ['cli/x.ts', "import { startTask } from '../api/tasks.js';\nexport const x = startTask;\n"],
  ])('refuses %s importing against the direction', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it.each([
    [
      'workflows/x.ts',
      "import type { VaultActivities } from '../activities/vault/control.js';\nexport type X = VaultActivities;\n",
    ],
    ['workflows/x.ts', "import { statusQuery } from '../temporal/messages.js';\nexport const x = statusQuery;\n"],
    ['api/x.ts', "import { BackupCreateSchema } from '../domain/backup.js';\nexport const x = BackupCreateSchema;\n"],
    ['activities/x.ts', "import { openVault } from '../vault/open.js';\nexport const x = openVault;\n"],
  ])('lets %s import along the direction', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});

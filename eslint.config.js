import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Dependencies point one way (docs/design.md; the README's layout table). Each folder lists the
// project folders it must not import from; tests, benchmarks and scripts may reach anything.
//   lib  <-  domain  <-  temporal  <-  clients (of Temporal)  <-  api, cli, workers (composition roots)
//   domain  <-  resources, restore-actions, vault  <-  activities  <-  workers
//   workflows: domain, temporal and activity *types* only
const FOLDERS = [
  'lib',
  'domain',
  'temporal',
  'resources',
  'restore-actions',
  'vault',
  'clients',
  'activities',
  'workflows',
  'config',
  'api',
  'cli',
  'workers',
  'servers',
];
const mayImport = {
  lib: [],
  domain: ['lib'],
  temporal: ['domain', 'lib'],
  resources: ['domain', 'lib'],
  'restore-actions': ['resources', 'domain', 'lib'],
  vault: ['resources', 'domain', 'lib'],
  clients: ['temporal', 'vault', 'domain', 'lib'],
  activities: ['clients', 'temporal', 'vault', 'resources', 'restore-actions', 'domain', 'lib'],
  workflows: ['temporal', 'domain', 'lib'],
  config: ['domain', 'lib'],
  api: ['clients', 'temporal', 'vault', 'resources', 'config', 'domain', 'lib'],
  cli: ['domain', 'lib'],
  workers: ['api', 'activities', 'clients', 'temporal', 'vault', 'config', 'domain', 'lib', 'workflows'],
  servers: ['temporal', 'lib'],
};

function directionRule(folder) {
  const forbidden = FOLDERS.filter((f) => f !== folder && !mayImport[folder].includes(f));
  const patterns = [
    {
      group: forbidden.flatMap((f) => [`../${f}/*`, `../../${f}/*`, `../../../${f}/*`]),
      message: `${folder}/ may import only ${mayImport[folder].join(', ') || 'nothing of the project'} (see eslint.config.js)`,
      // Workflows proxy activities by their types; no other folder may even name a forbidden one.
      allowTypeImports: folder === 'workflows',
    },
  ];
  if (folder === 'workflows') {
    patterns.push({ group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https'], message: 'workflows must not do I/O' });
  }
  return {
    files: [`${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'test/histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...FOLDERS.map(directionRule),
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, clocks or randomness.
    files: ['workflows/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', 'setInterval', 'fetch'] },
  },
);

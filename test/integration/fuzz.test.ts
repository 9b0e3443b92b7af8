// A schema-driven fuzzer that is not ours against the real API: schemathesis (PyPI, provisioned by
// scripts/tools.sh --test as BC_SCHEMATHESIS_BIN) reads the served /openapi.json and sends what the
// document allows and what it does not, then chains operations through the links it infers
// (the stateful phase: a created backup is read, cancelled, deleted, ...). Behind the API run the
// real Temporal dev server, the control worker and the agent of cluster a, and a filesystem vault
// under vaultRoot, as in api.test.ts. Every answer must be no 500, a status the operation
// declares, the declared content type and a body matching the declared schema; the run is bounded
// by examples per operation and by time, with a fixed seed so a failure can be replayed.

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashToken } from '../../api/auth.js';
import type { VaultCreate } from '../../domain/vault.js';
import { startTestApi, startTestSystem, uniqueName, type TestSystem } from './harness.js';

const ADMIN_TOKEN = 'fuzz-admin-token';
/** Seconds schemathesis may spend in all (BC_FUZZ_SECONDS, 150 for a soak run); its fuzzing and stateful phases stop when it is spent. */
const MAX_TIME_S = Number(process.env.BC_FUZZ_SECONDS ?? 60);
const SEED = 20240611;

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
];

function schemathesisBin(): string {
  const bin = process.env.BC_SCHEMATHESIS_BIN;
  if (!bin)
    throw new Error(
      'BC_SCHEMATHESIS_BIN is not set: run the tests through `npm test`, or eval "$(bash scripts/setup.sh --test)" first',
    );
  return bin;
}

/**
 * schemathesis' configuration.
 *
 * not_a_server_error counts every 5xx, but 501 NotBuilt is the documented answer of the operations
 * whose feature is not built yet (docs/api.md, "Not built yet"). For exactly the operations that
 * declare 501 in the served document, 501 is expected; status_code_conformance still fails a 501
 * from any other operation.
 *
 * Dictionaries give the generator, part of the time, the values the API checks beyond the
 * document (a configured cluster, an existing vault, a vault path under vaultRoot, a schedule
 * expression and a TTL the API parses): without them nearly every create is a 400 and the
 * stateful phase has nothing to chain.
 */
function configToml(
  doc: { paths: Record<string, Record<string, { operationId: string; responses: object }>> },
  values: { cluster: string; vault: string; vaultPaths: string[] },
): string {
  const list = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const notBuilt = Object.values(doc.paths)
    .flatMap((ops) => Object.values(ops))
    .filter((op) => '501' in op.responses)
    .map((op) => op.operationId);
  return [
    `dictionaries.clusters.values = ${list([values.cluster])}`,
    `dictionaries.vaults.values = ${list([values.vault])}`,
    `dictionaries.vaultPaths.values = ${list(values.vaultPaths)}`,
    `dictionaries.schedules.values = ${list(['1 4 * * *', '*/30 * * * *', '6h30m'])}`,
    `dictionaries.ttls.values = ${list(['72h', '90m', '720h0m0s'])}`,
    '',
    '[parameters]',
    '"body.cluster" = { dictionary = "clusters", probability = 0.8 }',
    '"body.vault" = { dictionary = "vaults", probability = 0.8 }',
    '"body.template.cluster" = { dictionary = "clusters", probability = 0.8 }',
    '"body.template.vault" = { dictionary = "vaults", probability = 0.8 }',
    '"body.path" = { dictionary = "vaultPaths", probability = 0.8 }',
    '"body.schedule" = { dictionary = "schedules", probability = 0.8 }',
    '"body.ttl" = { dictionary = "ttls", probability = 0.5 }',
    '"body.template.ttl" = { dictionary = "ttls", probability = 0.5 }',
    '"query.cluster" = { dictionary = "clusters", probability = 0.5 }',
    '"query.vault" = { dictionary = "vaults", probability = 0.5 }',
    '',
    '[[operations]]',
    `include-operation-id = ${list(notBuilt)}`,
    'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "501"]',
    '',
  ].join('\n');
}

function run(
  bin: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => void (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('schemathesis against the real API', () => {
  let client: Client;
  let system: TestSystem;
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let vault: VaultCreate;
  const startedAt = new Date();

  beforeAll(async () => {
    const workDir = inject('workDir');
    vault = {
      name: uniqueName('fuzz-vault'),
      backend: 'filesystem',
      path: mkdtempSync(join(workDir, 'fuzz-vault-')),
    };
    system = await startTestSystem({ clusters: ['a'], vaults: [vault] });
    ({ client } = system);
    api = await startTestApi({
      clusters: ['a'],
      vaults: [vault],
      vaultRoot: workDir,
      tokens: [{ name: 'admin', sha256: hashToken(ADMIN_TOKEN), role: 'admin' }],
    });
  });

  afterAll(async () => {
    await api?.stop();
    if (client) {
      // What the fuzzer started must not outlive the test: the plans it made would go on starting
      // backups, and its tasks would be picked up by the agents of later tests.
      for await (const schedule of client.schedule.list()) {
        const handle = client.schedule.getHandle(schedule.scheduleId);
        const described = await handle.describe().catch(() => undefined);
        if (described && described.info.createdAt >= startedAt) await handle.delete().catch(() => undefined);
      }
      const query = `ExecutionStatus="Running" AND StartTime >= "${startedAt.toISOString()}"`;
      for await (const wf of client.workflow.list({ query })) {
        await client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .terminate('fuzz test ended')
          .catch(() => undefined);
      }
    }
    await system?.stop();
  });

  it(
    'finds no server error, undeclared status, wrong content type or body off its schema',
    async () => {
      const cwd = mkdtempSync(join(inject('workDir'), 'schemathesis-'));
      const doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as Parameters<typeof configToml>[0];
      const workDir = inject('workDir');
      const vaultPaths = [1, 2, 3].map((i) => join(workDir, `fuzz-new-vault-${i}`));
      writeFileSync(join(cwd, 'schemathesis.toml'), configToml(doc, { cluster: 'a', vault: vault.name, vaultPaths }));
      const args = [
        '--config-file',
        join(cwd, 'schemathesis.toml'),
        'run',
        `${api.url}/openapi.json`,
        '--header',
        `Authorization: Bearer ${ADMIN_TOKEN}`,
        '--checks',
        CHECKS.join(','),
        '--phases',
        'examples,coverage,fuzzing,stateful',
        '--max-examples',
        '25',
        '--max-time',
        String(MAX_TIME_S),
        '--workers',
        '1',
        '--seed',
        String(SEED),
        '--generation-database',
        'none',
        '--no-color',
      ];
      const started = Date.now();
      const { code, out } = await run(schemathesisBin(), args, cwd, (MAX_TIME_S + 90) * 1000);
      console.log(`schemathesis ${args.join(' ')}\n(${Math.round((Date.now() - started) / 1000)} s)\n${out}`);
      expect(code, out.slice(-20_000)).toBe(0);
    },
    (MAX_TIME_S + 120) * 1000,
  );
});

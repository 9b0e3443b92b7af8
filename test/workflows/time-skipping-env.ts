// The time-skipping test environment of the workflow tests: Temporal's Java test server, fetched
// from Maven Central once by scripts/tools.sh (the SDK's own download of it needs a site the
// tests cannot count on reaching), started by the SDK as an 'existing-path' executable.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributes } from '../../temporal/search-attributes.js';

const tools = fileURLToPath(new URL('../../scripts/tools.sh', import.meta.url));

/**
 * The wrapper script scripts/tools.sh provisions: BC_TEMPORAL_TEST_SERVER_BIN (set by `npm test`),
 * else the script is run (building what is missing). A missing server fails the test, never skips it.
 */
export function testServerPath(): string {
  const fromEnv = process.env.BC_TEMPORAL_TEST_SERVER_BIN;
  if (fromEnv) return fromEnv;
  const out = execFileSync('bash', [tools, '--test'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = out.split('\n').find((l) => l.startsWith('temporal-test-server='));
  if (!line) throw new Error('scripts/tools.sh did not report temporal-test-server');
  return line.slice('temporal-test-server='.length);
}

/**
 * A fresh time-skipping environment (its own server process, on a free port), with the task search
 * attributes registered: the test server has no visibility store, but checks upserts against the
 * attributes it was told of.
 */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      allSearchAttributes.map((k) => {
        if (k.type !== SearchAttributeType.KEYWORD) throw new Error(`register ${k.name}: not a keyword`);
        return [k.name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD];
      }),
    ),
  });
  return env;
}

/** A name no other test of the run uses. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${++uniqueCount}`;
}
let uniqueCount = 0;

/** Waits, in real time, for `check` to hold (the worker processes what the server set off). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The time-skipping test environment of the workflow tests: Temporal's Java test server, fetched
// from Maven Central once by scripts/tools.sh (the SDK's own download of it needs a site the
// tests cannot count on reaching), started by the SDK as an 'existing-path' executable.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';

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

/** A fresh time-skipping environment (its own server process, on a free port). */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath() } },
  });
}

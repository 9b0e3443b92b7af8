import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowsPath } from '../../workers/bundle.js';

// Histories recorded from real runs (BC_RECORD_HISTORIES=1 in the integration tests) replayed
// against today's workflow code: a non-deterministic change fails here, not in production.
const dir = fileURLToPath(new URL('../histories/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of recorded histories', () => {
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath, logger: undefined });
  });

  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    // Stored as the protobuf message's JSON (handle.fetchHistory()), read back the same way.
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(dir + file, 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, file.replace(/\.json$/, '')),
    ).resolves.toBeUndefined();
  });
});

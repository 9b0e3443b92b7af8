import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCreate } from '../../domain/backup.js';
import type { BackupStore } from '../../vault/store.js';
import { BackupWorkflow } from '../../workflows/backup.js';
import { defaultTaskOptions } from '../../temporal/activity-options.js';
import { statusQuery } from '../../temporal/messages.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { configMapsBackup, createConfigMaps } from './kube-apply.js';
import { killAgent, maxActivityAttempt, startAgentProcess } from './agent-spawn.js';
import { testVault, kube, recordHistory, startTestSystem, uniqueName, type TestSystem } from './harness.js';
import type { VaultCreate } from '../../domain/vault.js';

// 10,000 ConfigMaps: the size at which the history bound is checked, and long enough to kill an agent mid-list.
const COUNT = 10_000;

describe('a backup survives its agent being killed, and its history stays small', () => {
  let client: Client;
  let system: TestSystem;
  let vault: VaultCreate;
  let store: BackupStore;
  const ns = uniqueName('bulk');
  const spec = (name: string): BackupCreate => configMapsBackup(name, 'a', vault.name, ns);

  beforeAll(async () => {
    ({ vault, store } = testVault());
    const k = await kube('a');
    await k.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });
    await createConfigMaps(k, ns, COUNT);
    // The control worker in-process, built from the configuration as workers/main.ts builds it, with
    // the vault configured; cluster a's agent is the production agent process (agent-spawn.ts), so it can be killed.
    system = await startTestSystem({ clusters: [], vaults: [vault] });
    ({ client } = system);
  }, 600_000);

  afterAll(async () => {
    await system?.stop();
  });

  const archiveEntries = async (name: string) => {
    const out: string[] = [];
    for await (const e of store.openArchive(name))
      out.push(`${e.path} ${'object' in e ? JSON.stringify(e.object) : ''}`);
    return out;
  };

  it('continues after SIGKILL of the agent mid-backup, with the same archive content as an undisturbed run', async () => {
    const options = { ...defaultTaskOptions, heartbeatTimeoutSeconds: 5 };
    // The undisturbed run.
    let agent = await startAgentProcess('a');
    const calmName = uniqueName('calm');
    const calm = await client.workflow.execute(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${calmName}`,
      args: [{ spec: spec(calmName), options }],
    });
    expect(calm.phase).toBe('Completed');

    // The disturbed run: kill the agent once it has reported progress, then start a new one.
    const name = uniqueName('crash');
    const handle = await client.workflow.start(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${name}`,
      args: [{ spec: spec(name), options }],
    });
    // Kill once the archive activity has heartbeated: it is mid-list, part of the archive streamed.
    let heartbeated = false;
    for (let i = 0; i < 1000 && !heartbeated; i++) {
      const { raw } = await handle.describe();
      heartbeated = (raw.pendingActivities ?? []).some(
        (a) => a.activityType?.name === 'backupResources' && a.heartbeatDetails,
      );
      if (!heartbeated) await new Promise((r) => setTimeout(r, 20));
    }
    expect(heartbeated).toBe(true);
    expect((await handle.query(statusQuery)).step).toBe('BackupResources');
    await killAgent(agent);
    const stillRunning = await handle.describe();
    expect(stillRunning.status.name).toBe('RUNNING');
    agent = await startAgentProcess('a');
    try {
      const result = await handle.result();
      expect(result.phase).toBe('Completed');
      // The ConfigMaps, kube-root-ca.crt (published into every namespace by the controller manager) and the Namespace.
      expect(result.progress.itemsBackedUp).toBe(COUNT + 2);
      await recordHistory(handle, 'backup-agent-killed');

      // History is bounded: it does not grow with the number of objects.
      const history = await handle.fetchHistory();
      expect(history.events?.length ?? 0).toBeLessThan(300);
      // The archive activity really died with the agent and ran again on the new one.
      expect(maxActivityAttempt(history)).toBeGreaterThanOrEqual(2);

      const [a, b] = await Promise.all([archiveEntries(calmName), archiveEntries(name)]);
      expect(b.length).toBe(a.length);
      expect(b).toEqual(a);
    } finally {
      await killAgent(agent);
    }
  });
});

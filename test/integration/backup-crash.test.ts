import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
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
import { testVault, kube, recordHistory, startTestSystem, testConfig, uniqueName, type TestSystem } from './harness.js';
import { taskOptionsFromConfig } from '../../api/tasks.js';
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

  let agents: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(agents.map((a) => killAgent(a)));
    await system?.stop();
  });

  const archiveEntries = async (name: string) => {
    const out: string[] = [];
    for await (const e of store.openArchive(name))
      out.push(`${e.path} ${'object' in e ? JSON.stringify(e.object) : ''}`);
    return out;
  };

  it('continues after SIGKILL of the agent mid-backup, with the same archive content as an undisturbed run', async () => {
    // The production default heartbeat timeout (config heartbeatTimeoutSeconds, 15 s): a killed
    // agent's work must resume on another agent within 20 s.
    const options = { ...taskOptionsFromConfig(testConfig({ clusters: [], vaults: [] })) };
    expect(options.heartbeatTimeoutSeconds).toBe(defaultTaskOptions.heartbeatTimeoutSeconds);
    // Two agents of cluster a, as a highly available deployment runs them: one is killed, the other takes over.
    agents = await Promise.all([startAgentProcess('a'), startAgentProcess('a')]);
    // The undisturbed run.
    const calmName = uniqueName('calm');
    const calm = await client.workflow.execute(BackupWorkflow, {
      taskQueue: CONTROL_TASK_QUEUE,
      workflowId: `backup/${calmName}`,
      args: [{ spec: spec(calmName), options }],
    });
    expect(calm.phase).toBe('Completed');
    // No false heartbeat timeout at 15 s on this (shared, loaded) machine: every activity ran once.
    expect(maxActivityAttempt(await client.workflow.getHandle(`backup/${calmName}`).fetchHistory())).toBe(1);

    // The disturbed run: kill the agent running the archive once it has reported progress; the other one takes over.
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
    const running = (await handle.describe()).raw.pendingActivities?.find(
      (a) => a.activityType?.name === 'backupResources',
    );
    const victim = agents.find((a) => running?.lastWorkerIdentity?.startsWith(`${a.pid}@`));
    expect(victim).toBeDefined();
    const killedAt = Date.now();
    await killAgent(victim!);
    const stillRunning = await handle.describe();
    expect(stillRunning.status.name).toBe('RUNNING');
    // How long until the next attempt starts on the other agent: the heartbeat timeout (the last
    // heartbeat may be up to 80% of it old), the first retry's second, and a poll.
    let resumedAt: number | undefined;
    for (let i = 0; i < 600 && resumedAt === undefined; i++) {
      const { raw, status } = await handle.describe();
      const a = raw.pendingActivities?.find((x) => x.activityType?.name === 'backupResources');
      if ((a?.attempt ?? 0) >= 2 && a?.lastStartedTime?.seconds) {
        resumedAt = Number(a.lastStartedTime.seconds) * 1000 + Math.floor((a.lastStartedTime.nanos ?? 0) / 1e6);
      } else if (
        status.name !== 'RUNNING' ||
        (a === undefined && (await handle.query(statusQuery)).step !== 'BackupResources')
      ) {
        break;
      } else {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(resumedAt).toBeDefined();
    const resumedAfterMs = resumedAt! - killedAt;
    console.log(
      `backup-crash: the killed agent's backupResources resumed on the other agent ${resumedAfterMs} ms after SIGKILL (heartbeat timeout ${options.heartbeatTimeoutSeconds} s)`,
    );
    expect(resumedAfterMs).toBeLessThan(20_000);
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

      // Nothing the killed attempt staged is left behind: the retry removed it before writing.
      const staging = join(vault.path!, '.vault-staging');
      const left = await readdir(staging, { recursive: true, withFileTypes: true }).catch(() => []);
      expect(left.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name))).toEqual([]);
    } finally {
      await Promise.all(agents.map((a) => killAgent(a)));
      agents = [];
    }
  });
});

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashToken } from '../../api/auth.js';
import { configFromObject } from '../../config/load.js';
import type { Backup } from '../../domain/backup.js';
import type { Vault } from '../../domain/vault.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { run, type Running } from '../../workers/main.js';
import { ClusterProbeWorkflow } from '../../workflows/cluster-probe.js';
import { kube, recordHistory, startTestSystem, uniqueName } from './harness.js';

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the chain: workflow on the dev server, activity on a per-cluster queue, real control plane', () => {
  it('lists the namespaces of cluster a, including one created just now', async () => {
    const k = await kube('a');
    const ns = uniqueName('smoke');
    await k.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });

    const system = await startTestSystem({ clusters: ['a'], vaults: [] });
    try {
      const handle = await system.client.workflow.start(ClusterProbeWorkflow, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: `probe/${ns}`,
        args: [{ cluster: 'a' }],
      });
      const info = await handle.result();
      await recordHistory(handle, 'cluster-probe');
      expect(info.namespaces).toEqual(expect.arrayContaining(['default', 'kube-system', ns]));
      expect(info.kubernetesVersion).toMatch(/^v1\.\d+\.\d+/);
    } finally {
      await system.stop();
    }
  });
});

// The production composition root itself: run('all') as `npm start` and `workers/main.ts all` run it.
describe("run('all'): the control worker, the agent of cluster a and the REST API in one process", () => {
  const token = 'smoke-admin-token';
  const vaultName = uniqueName('smoke-vault');
  const ns = uniqueName('smoke-all');
  let running: Running | undefined;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${running!.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json().catch(() => undefined)) as unknown };
  };

  beforeAll(async () => {
    const k = await kube('a');
    await k.request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    });
    await k.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { colour: 'blue' } },
    });
    const temporal = inject('temporal');
    const workDir = mkdtempSync(join(inject('workDir'), 'smoke-all-'));
    const config = configFromObject(
      {
        temporal: { address: temporal.address, namespace: temporal.namespace, uiUrl: temporal.uiUrl },
        api: { host: '127.0.0.1', port: 0 },
        vaultRoot: workDir,
        clusters: [{ name: 'a', kubeconfig: inject('clusters').a!.kubeconfigPath }],
        vaults: [{ name: vaultName, backend: 'filesystem', path: 'default' }],
        tokens: [{ name: 'admin', sha256: hashToken(token), role: 'admin' }],
        logLevel: 'warn',
      },
      { baseDir: workDir },
    );
    running = await run('all', config);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${running!.apiUrl}/healthz`)).status).toBe(200);
    const ready = await eventually('readyz 200', async () => {
      const res = await fetch(`${running!.apiUrl}/readyz`);
      return res.status === 200 ? res : undefined;
    });
    expect(ready.status).toBe(200);
  });

  it('registers the configured vault once the control worker polls, and it becomes Available', async () => {
    await expect(running!.registered).resolves.toBe(true);
    const vault = await eventually(`vault ${vaultName} Available`, async () => {
      const res = await call('GET', `/v1/vaults/${vaultName}`);
      const v = res.status === 200 ? (res.json as Vault) : undefined;
      return v?.status.phase === 'Available' ? v : undefined;
    });
    expect(vault.spec).toMatchObject({ backend: 'filesystem' });
  });

  it('backs up a small namespace through the REST API', async () => {
    const name = uniqueName('smoke-backup');
    const res = await call('POST', '/v1/backups', {
      name,
      cluster: 'a',
      vault: vaultName,
      includedNamespaces: [ns],
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    const done = await eventually(`backup ${name} finished`, async () => {
      const b = (await call('GET', `/v1/backups/${name}`)).json as Backup;
      return b.status.phase === 'InProgress' ? undefined : b;
    });
    expect(done.status.phase, JSON.stringify(done.status.errors)).toBe('Completed');
    expect(done.status.progress.itemsBackedUp).toBeGreaterThanOrEqual(2);
  });

  it('stops cleanly', async () => {
    const r = running!;
    running = undefined;
    const started = Date.now();
    await r.stop();
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect(fetch(`${r.apiUrl}/healthz`)).rejects.toThrow();
  });
});

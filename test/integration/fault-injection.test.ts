// DESIGN: "A crashed worker, API server or Temporal server loses no task: the workflow resumes where
// it was, and the result equals an undisturbed run." Every part runs as its own process: the
// Temporal dev server (its own SQLite file, restarted on it), the control worker, the agents of
// clusters a and b and the REST API (`workers/main.ts control | agent a | agent b | api`, one YAML
// configuration). Each round backs up an application of cluster a through the API and restores it
// into cluster b under a fresh namespace, while one or two processes chosen at random are SIGKILLed
// at a random moment and started again after a random 0-5 s; the round's outcome must equal an
// undisturbed run's. BC_FAULT_ROUNDS (default 8; 20 for a soak run) rounds; BC_FAULT_SEED replays a run.
import { readdir } from 'node:fs/promises';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { hashToken } from '../../api/auth.js';
import { ApiClient, ApiError, isTransient } from '../../cli/client.js';
import type { KubeClient } from '../../activities/kube/client.js';
import type { KubeObject } from '../../resources/types.js';
import { freePort } from '../../servers/process.js';
import { toolPaths } from '../../servers/tools.js';
import { CONTROL_TASK_QUEUE, clusterTaskQueue } from '../../temporal/task-queues.js';
import { widgetCrd } from '../fixtures/app.js';
import { FAULT_APP_TYPES, faultApp, nodePortsOf } from '../fixtures/fault-app.js';
import { applyAll, createConfigMaps } from './kube-apply.js';
import { nodeRole, temporalProcess, type FaultProcess } from './fault-processes.js';
import { kube, testConfig, testVault, uniqueName } from './harness.js';
import { mulberry32 } from '../servers/seeded-random.js';

const { temporal: tproto } = proto;

/** Enough that a kill lands mid-list, mid-archive or mid-create; small enough that a round takes well under 30 s. */
const CONFIG_MAPS = 3000;
const ROUNDS = Number(process.env.BC_FAULT_ROUNDS ?? 8);
const SEED = Number(process.env.BC_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const TOKEN = 'fault-injection-admin-token';
/** A task that takes longer than this in one round is reported as stuck. */
const TASK_DEADLINE_MS = 8 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Task {
  status: {
    phase: string;
    errors: unknown[];
    warnings: unknown[];
    failureReason: string | null;
    progress: Record<string, number>;
  };
}

/** A cluster object as compared between rounds: what the server assigns (uid, clusterIP, timestamps, status) left out. */
function normalize(o: KubeObject): unknown {
  const { metadata, status: _s, ...rest } = o as KubeObject & { status?: unknown; spec?: Record<string, unknown> };
  const spec = rest.spec ? { ...(rest.spec as Record<string, unknown>) } : undefined;
  if (spec) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.healthCheckNodePort;
  }
  return {
    ...rest,
    ...(spec ? { spec } : {}),
    metadata: { name: metadata.name, labels: metadata.labels ?? {}, annotations: metadata.annotations ?? {} },
  };
}

/**
 * The default ServiceAccount and kube-root-ca.crt are created in a new namespace by cluster b's own
 * controllers while the restore creates them too (as restore-crash.test.ts notes): whichever comes
 * first, the object is the same, and the item says `created` or `skipped` (identical).
 */
function racing(item: Record<string, unknown>): Record<string, unknown> {
  const raced =
    (item.resource === 'serviceaccounts' && item.name === 'default') ||
    (item.resource === 'configmaps' && item.name === 'kube-root-ca.crt');
  const either =
    item.outcome === 'created' ||
    (item.outcome === 'skipped' && item.reason === 'already exists in the cluster and is identical');
  return raced && either ? { ...item, outcome: 'created or identical', reason: undefined } : item;
}

/** One round's outcome, with the round's own names replaced by placeholders. */
type Outcome = Record<string, unknown>;

/** What differs between two outcomes, key by key: for lists the entries only one side has, otherwise both values. */
function describeDiff(want: Outcome, got: Outcome): string {
  const out: string[] = [];
  const lists = (x: unknown): Record<string, unknown> =>
    Array.isArray(x) ? { '': x } : typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : { '': x };
  for (const key of Object.keys(want)) {
    if (JSON.stringify(want[key]) === JSON.stringify(got[key])) continue;
    const [w, g] = [lists(want[key]), lists(got[key])];
    for (const sub of new Set([...Object.keys(w), ...Object.keys(g)])) {
      const [x, y] = [w[sub], g[sub]];
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      if (Array.isArray(x) && Array.isArray(y)) {
        const [xs, ys] = [x.map((e) => JSON.stringify(e)), y.map((e) => JSON.stringify(e))];
        const only = (as: string[], bs: string[]) => as.filter((e) => !bs.includes(e)).slice(0, 5);
        out.push(
          `  ${key}${sub ? ` ${sub}` : ''}: ${xs.length} vs ${ys.length} entries; only undisturbed: ${only(xs, ys).join(' | ')}; only this round: ${only(ys, xs).join(' | ')}`,
        );
      } else {
        out.push(
          `  ${key}${sub ? ` ${sub}` : ''}: undisturbed ${JSON.stringify(x)?.slice(0, 800)}; this round ${JSON.stringify(y)?.slice(0, 800)}`,
        );
      }
    }
  }
  return out.join('\n');
}

describe('fault injection: processes killed at random during a backup and a cross-cluster restore', () => {
  it(`every round equals an undisturbed run (${ROUNDS} rounds)`, { timeout: 90 * 60_000 }, async () => {
    const started = Date.now();
    const random = mulberry32(SEED);
    console.log(`fault-injection: seed ${SEED} (BC_FAULT_SEED=${SEED} replays it), ${ROUNDS} rounds`);
    const workDir = mkdtempSync(join(inject('workDir'), 'fault-'));
    const a = await kube('a');
    const b = await kube('b');

    // The application in cluster a, with a node port free in both clusters.
    const src = uniqueName('fault');
    await applyAll(b, [widgetCrd]); // present in b before the first restore, so every round finds it there
    const held = async (k: KubeClient) => nodePortsOf((await k.get<{ items: KubeObject[] }>('/api/v1/services')).items);
    const taken = new Set([...(await held(a)), ...(await held(b))]);
    let nodePort = 30000 + Math.floor(random() * 2768);
    while (taken.has(nodePort)) nodePort = 30000 + ((nodePort - 30000 + 1) % 2768);
    await applyAll(a, [widgetCrd, ...faultApp(src, nodePort)]);
    await createConfigMaps(a, src, CONFIG_MAPS);
    // The StatefulSet's pod and the Services' EndpointSlices exist before the first backup: every round backs up the same objects.
    for (let i = 0; i < 150; i++) {
      const pods = await a.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${src}/pods`);
      const slices = await a.get<{ items: KubeObject[] }>(`/apis/discovery.k8s.io/v1/namespaces/${src}/endpointslices`);
      if (pods.items.length === 1 && slices.items.length >= 3) break;
      await sleep(200);
    }
    await sleep(1000);

    // One configuration for every process: its own Temporal server, both clusters, the vault, a fixed API port.
    const { vault } = testVault();
    const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const temporal = temporalProcess(toolPaths().temporal, join(workDir, 'temporal'), port, uiPort);
    const config = testConfig({
      clusters: ['a', 'b'],
      vaults: [vault],
      temporal: { address: temporal.address, namespace: 'default', uiUrl: null },
      api: { host: '127.0.0.1', port: apiPort },
      tokens: [{ name: 'fault', sha256: hashToken(TOKEN), role: 'admin' }],
      // A killed agent's activity is retried after 5 s of silence rather than the default 15.
      heartbeatTimeoutSeconds: 5,
      logLevel: 'warn',
    });
    const configPath = join(workDir, 'config.yaml');
    writeFileSync(configPath, stringify(config));
    const role = (name: string, args: string[]) => nodeRole(name, args, configPath, join(workDir, `${name}.log`));
    const procs: FaultProcess[] = [
      temporal,
      role('control', ['control']),
      role('agent-a', ['agent', 'a']),
      role('agent-b', ['agent', 'b']),
      role('api', ['api']),
    ];
    const api = new ApiClient({ server: `http://127.0.0.1:${apiPort}`, token: TOKEN });
    const apiErrors: string[] = [];

    /** A call repeated while the API or what it needs is away (unreachable, 502-504; a 500 is counted and repeated). */
    const call = async <T>(what: string, fn: () => Promise<T>, onConflict?: () => Promise<T>): Promise<T> => {
      let retried = false;
      for (const deadline = Date.now() + TASK_DEADLINE_MS; ;) {
        try {
          return await fn();
        } catch (err) {
          // A create repeated after its first answer was lost: the name is used by our own task.
          if (retried && onConflict && err instanceof ApiError && err.status === 409) return onConflict();
          const serverError = err instanceof ApiError && err.status === 500;
          if (serverError) apiErrors.push(`${what}: ${err.describe()}`);
          if (!(isTransient(err) || serverError) || Date.now() > deadline) throw err;
          retried = true;
          await sleep(250);
        }
      }
    };

    /** Whether a node process polls its task queue under its own identity (a poller of a killed one does not count). */
    const polls = async (p: FaultProcess, queue: string, type: proto.temporal.api.enums.v1.TaskQueueType) => {
      const conn = await Connection.connect({ address: temporal.address, connectTimeout: 1000 });
      try {
        const { pollers } = await conn.workflowService.describeTaskQueue({
          namespace: 'default',
          taskQueue: { name: queue, kind: tproto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: type,
        });
        return (pollers ?? []).some((x) => x.identity === `${p.pid()}@${hostname()}`);
      } finally {
        await conn.close();
      }
    };
    const [control, agentA, agentB] = procs.slice(1) as [FaultProcess, FaultProcess, FaultProcess];
    /** Every process up and serving: the workers poll, the API answers /readyz. */
    const allReady = async () => {
      for (const deadline = Date.now() + 180_000; ; await sleep(250)) {
        if (Date.now() > deadline) throw new Error('the processes did not all come up within 180 s');
        if (!procs.every((p) => p.alive())) continue;
        try {
          const ok =
            (await polls(control, CONTROL_TASK_QUEUE, tproto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)) &&
            (await polls(agentA, clusterTaskQueue('a'), tproto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)) &&
            (await polls(agentB, clusterTaskQueue('b'), tproto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)) &&
            (await fetch(`${api.server}/readyz`)).ok;
          if (ok) return;
        } catch {
          // not yet
        }
      }
    };

    const staging = join(vault.path!, '.vault-staging');
    const stagedFiles = async () =>
      (await readdir(staging, { recursive: true, withFileTypes: true }).catch(() => []))
        .filter((e) => !e.isDirectory())
        .map((e) => join(e.parentPath, e.name));

    /** Where the round is, for the kill log: the task under way and its progress as last polled. */
    let where = 'start';
    let backupDoneAt = 0;
    const waitTask = async (kind: 'backups' | 'restores', name: string): Promise<Task> => {
      for (const deadline = Date.now() + TASK_DEADLINE_MS; ; await sleep(300)) {
        if (Date.now() > deadline) throw new Error(`${kind} ${name} still InProgress after ${TASK_DEADLINE_MS} ms`);
        const task = await call(`GET ${kind}/${name}`, () => api.get<Task>(`/v1/${kind}/${name}`));
        where = `${kind.slice(0, -1)} ${JSON.stringify(task.status.progress)}`;
        if (task.status.phase !== 'InProgress') return task;
      }
    };

    /** Deletes a round's copy in cluster b: its Services first (their node ports are free once they are gone), then the namespace. */
    const removeCopy = async (ns: string) => {
      for (const svc of ['np', 'lb'])
        await b.request('DELETE', `/api/v1/namespaces/${ns}/services/${svc}`).catch(() => {});
      await b.request('DELETE', `/api/v1/namespaces/${ns}`).catch(() => {});
      for (let i = 0; i < 600; i++) {
        const left = await b.get<{ items: KubeObject[] }>(`/api/v1/namespaces/${ns}/services`);
        if (!left.items.some((s) => ['np', 'lb'].includes(s.metadata.name))) break;
        await sleep(100);
      }
    };

    /** One backup of the application and its restore into cluster b under a fresh namespace, through the API. */
    const runRound = async (label: string): Promise<{ outcome: Outcome; target: string }> => {
      const id = `${label}-${uniqueName('r')}`;
      const [bk, rs, target] = [`fib-${id}`, `fir-${id}`, `fit-${id}`];
      where = 'backup create';
      await call(
        'POST /v1/backups',
        () =>
          api.post('/v1/backups', {
            name: bk,
            cluster: 'a',
            vault: vault.name,
            includedNamespaces: [src],
          }),
        () => api.get(`/v1/backups/${bk}`),
      );
      const backup = await waitTask('backups', bk);
      backupDoneAt = Date.now();
      where = 'restore create';
      await call(
        'POST /v1/restores',
        () => api.post('/v1/restores', { name: rs, backupName: bk, cluster: 'b', namespaceMapping: { [src]: target } }),
        () => api.get(`/v1/restores/${rs}`),
      );
      const restore = await waitTask('restores', rs);
      where = 'compare';
      type Item = Record<string, unknown>;
      const resources = (await call('resources', () => api.get<{ items: Item[] }>(`/v1/backups/${bk}/resources`)))
        .items;
      const items = (await call('items', () => api.get<{ items: Item[] }>(`/v1/restores/${rs}/items`))).items;
      const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
      const objects: Record<string, string[]> = {};
      for (const t of FAULT_APP_TYPES) {
        objects[t] = sorted((await b.get<{ items: KubeObject[] }>(t.replace('NS', target))).items.map(normalize));
      }
      const ns = await b.get<KubeObject>(`/api/v1/namespaces/${target}`);
      const task = (t: Task) => ({
        ...t.status,
        startTimestamp: undefined,
        completionTimestamp: undefined,
        links: undefined,
        expiration: undefined, // start time plus ttl
      });
      const outcome = {
        backup: task(backup),
        resources: sorted(resources),
        restore: task(restore),
        items: sorted(items.map(racing)),
        namespace: { labels: ns.metadata.labels, annotations: ns.metadata.annotations },
        objects,
        staging: await stagedFiles(),
      };
      const text = JSON.stringify(outcome).replaceAll(bk, 'BACKUP').replaceAll(rs, 'RESTORE').replaceAll(target, 'NS');
      return { outcome: JSON.parse(text) as Outcome, target };
    };

    const kills: Record<string, number> = Object.fromEntries(procs.map((p) => [p.name, 0]));
    const stages: Record<string, number> = {};
    const durations: number[] = [];
    const unequal: string[] = [];
    try {
      await temporal.start();
      for (const p of procs.slice(1)) await p.start();
      await allReady();
      for (let i = 0; ; i++) {
        if (i > 600) throw new Error(`vault ${vault.name} did not become Available`);
        const v = await call('vault', () => api.get<{ status: { phase: string } }>(`/v1/vaults/${vault.name}`)).catch(
          () => undefined,
        );
        if (v?.status.phase === 'Available') break;
        await sleep(200);
      }

      // The undisturbed run.
      const calmStart = Date.now();
      const calm = await runRound('calm');
      const calmMs = Date.now() - calmStart;
      // Kill moments: half of them while the undisturbed backup ran, half while its restore ran.
      const backupMs = backupDoneAt - calmStart;
      const killAt = () => Math.floor(random() < 0.5 ? random() * backupMs : backupMs + random() * (calmMs - backupMs));
      console.log(
        `fault-injection: undisturbed round ${calmMs} ms (backup ${String((calm.outcome.backup as Task['status']).phase)} after ${backupMs} ms, restore ${String((calm.outcome.restore as Task['status']).phase)}, ${CONFIG_MAPS} ConfigMaps)`,
      );
      expect((calm.outcome.restore as Task['status']).phase).toMatch(/^(Completed|PartiallyFailed)$/);
      expect(calm.outcome.staging).toEqual([]);
      await removeCopy(calm.target);

      for (let round = 1; round <= ROUNDS; round++) {
        await allReady();
        const count = random() < 0.5 ? 1 : 2;
        const pool = [...procs];
        const victims = Array.from({ length: count }, () => pool.splice(Math.floor(random() * pool.length), 1)[0]!);
        const plan = victims.map((p) => ({ p, at: killAt(), after: Math.floor(random() * 5000) }));
        const roundStart = Date.now();
        const log: string[] = [];
        let roundDone = false;
        const chaos = Promise.all(
          plan.map(async ({ p, at, after }) => {
            await sleep(at);
            log.push(
              `${p.name} killed at ${(at / 1000).toFixed(1)} s (${roundDone ? 'after the tasks' : where}), back after ${(after / 1000).toFixed(1)} s`,
            );
            kills[p.name]!++;
            const stage = roundDone ? 'after' : where.split(' ')[0]!;
            stages[stage] = (stages[stage] ?? 0) + 1;
            await p.kill();
            await sleep(after);
            await p.start();
          }),
        );
        let result: { outcome: Outcome; target: string };
        try {
          result = await runRound(`r${round}`);
        } finally {
          roundDone = true;
          await chaos;
        }
        const ms = Date.now() - roundStart;
        durations.push(ms);
        const diff = describeDiff(calm.outcome, result.outcome);
        const equal = diff === '';
        if (!equal) unequal.push(`round ${round} (seed ${SEED}; ${log.join('; ')}):\n${diff}`);
        console.log(`fault-injection: round ${round}: ${log.join('; ')}; ${ms} ms; ${equal ? 'equal' : 'DIFFERENT'}`);
        await removeCopy(result.target);
      }
    } finally {
      await Promise.allSettled(procs.slice(1).map((p) => p.stop()));
      await temporal.stop();
    }
    const sortedMs = [...durations].sort((x, y) => x - y);
    console.log(
      `fault-injection: kills per process ${JSON.stringify(kills)}, per task under way ${JSON.stringify(stages)}; round ms min ${sortedMs[0]} median ${sortedMs[Math.floor(sortedMs.length / 2)]} max ${sortedMs[sortedMs.length - 1]}; whole test ${Math.round((Date.now() - started) / 1000)} s`,
    );
    const exits = procs.flatMap((p) => p.unexpectedExits);
    if (exits.length > 0)
      console.log(`fault-injection: processes that stopped on their own and were restarted:\n${exits.join('\n')}`);
    if (apiErrors.length > 0) console.log(`fault-injection: API 500 answers (repeated):\n${apiErrors.join('\n')}`);
    expect(unequal).toEqual([]);
    console.log(`fault-injection: ${ROUNDS - unequal.length}/${ROUNDS} rounds equal an undisturbed run (seed ${SEED})`);
  });
});

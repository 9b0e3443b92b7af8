// /v1/clusters: the configured clusters, whether an agent polls each one's task queue, and what the
// agent reads of it (Kubernetes version, nodes, zones) through ClusterProbeWorkflow. A probe is a
// short workflow, so it shows in the Temporal UI like any task; its answer is cached for a while,
// and concurrent requests share one probe.

import { randomUUID } from 'node:crypto';
import { agentConnected } from '../../clients/agents.js';
import type { ClusterInfo } from '../../temporal/workflow-inputs.js';
import { TaskTypeKey } from '../../temporal/search-attributes.js';
import { CONTROL_TASK_QUEUE } from '../../temporal/task-queues.js';
import { WorkflowType } from '../../temporal/workflow-ids.js';
import type { ApiDeps } from '../deps.js';
import { notFound } from '../problem.js';
import { PROBLEM, route, type Route } from '../route-table.js';
import { ClusterListSchema, NameParamsSchema } from '../schemas.js';
import { ClusterSchema, type Cluster, type ClusterStatus } from '../../domain/cluster.js';
import { mapLimit } from '../../lib/concurrency.js';

export interface ClusterRoutesOptions {
  /** How long a probe's answer is served from cache. */
  cacheMs?: number;
  /** How long a request waits for a probe before answering without the cluster's details. */
  probeTimeoutMs?: number;
}

export const DEFAULT_CLUSTER_CACHE_MS = 30_000;
const DEFAULT_PROBE_TIMEOUT_MS = 15_000;
/** A failed probe is retried sooner than a good answer expires. */
const FAILED_PROBE_CACHE_MS = 5_000;

export function disconnectedStatus(): ClusterStatus {
  return { agentConnected: false, kubernetesVersion: null, nodes: null, zones: [] };
}

export function statusFromInfo(info: ClusterInfo | undefined): ClusterStatus {
  if (!info) return { agentConnected: true, kubernetesVersion: null, nodes: null, zones: [] };
  return { agentConnected: true, kubernetesVersion: info.kubernetesVersion, nodes: info.nodes, zones: info.zones };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Probes clusters, caching answers per cluster. */
export class ClusterProber {
  private readonly cache = new Map<string, { expires: number; status: Promise<ClusterStatus> }>();
  private readonly cacheMs: number;
  private readonly probeTimeoutMs: number;

  constructor(
    private readonly deps: Pick<ApiDeps, 'client' | 'logger'>,
    options: ClusterRoutesOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? DEFAULT_CLUSTER_CACHE_MS;
    this.probeTimeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  }

  status(cluster: string): Promise<ClusterStatus> {
    const now = Date.now();
    const cached = this.cache.get(cluster);
    if (cached && cached.expires > now) return cached.status;
    const entry = {
      expires: now + this.cacheMs,
      status: this.probe(cluster, (ms) => (entry.expires = Date.now() + ms)),
    };
    this.cache.set(cluster, entry);
    return entry.status;
  }

  private async probe(cluster: string, expireIn: (ms: number) => void): Promise<ClusterStatus> {
    const { client, logger } = this.deps;
    let connected: boolean;
    try {
      connected = await agentConnected(client, cluster);
    } catch (err) {
      logger.warn({ err, cluster }, 'task queue of the cluster agent could not be described');
      expireIn(FAILED_PROBE_CACHE_MS);
      return disconnectedStatus();
    }
    if (!connected) return disconnectedStatus();
    try {
      const handle = await client.workflow.start(WorkflowType.ClusterProbe, {
        taskQueue: CONTROL_TASK_QUEUE,
        workflowId: `probe/${cluster}/${randomUUID()}`,
        args: [{ cluster }],
        // Nobody waits longer than this; do not leave probes behind when no control worker runs.
        workflowExecutionTimeout: '3 minutes',
        typedSearchAttributes: [{ key: TaskTypeKey, value: 'ClusterProbe' }],
      });
      const info = (await withTimeout(
        handle.result(),
        this.probeTimeoutMs,
        `probe of cluster ${cluster}`,
      )) as ClusterInfo;
      return statusFromInfo(info);
    } catch (err) {
      logger.warn({ err, cluster }, 'cluster probe failed');
      expireIn(FAILED_PROBE_CACHE_MS);
      return statusFromInfo(undefined);
    }
  }
}

export function clusterRoutes(deps: ApiDeps, options: ClusterRoutesOptions = {}): Route[] {
  const prober = new ClusterProber(deps, options);
  const names = () => deps.config.clusters.map((c) => c.name);
  const tag = 'clusters';
  return [
    route({
      method: 'get',
      path: '/v1/clusters',
      operationId: 'listClusters',
      summary: 'List clusters',
      tag,
      role: 'viewer',
      responses: { 200: { description: 'The clusters.', schema: ClusterListSchema } },
      handler: async ({ res }) => {
        const items: Cluster[] = await mapLimit(names(), 8, async (name) => ({
          name,
          status: await prober.status(name),
        }));
        res.json({ items });
      },
    }),
    route({
      method: 'get',
      path: '/v1/clusters/{name}',
      operationId: 'getCluster',
      summary: 'Get a cluster',
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: { 200: { description: 'The cluster.', schema: ClusterSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        if (!names().includes(name)) throw notFound('cluster', name);
        res.json({ name, status: await prober.status(name) } satisfies Cluster);
      },
    }),
  ];
}

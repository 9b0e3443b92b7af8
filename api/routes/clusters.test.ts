import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ClusterProber } from './clusters.js';

/** A client whose agent answers as told; counts probes. */
function client(connected: boolean) {
  const counts = { describes: 0, probes: 0 };
  const c = {
    options: { namespace: 'default' },
    workflowService: {
      describeTaskQueue: async () => {
        counts.describes++;
        return { pollers: connected ? [{ lastAccessTime: { seconds: Math.floor(Date.now() / 1000) } }] : [] };
      },
    },
    workflow: {
      start: async (_type: string, options: { workflowId: string; args: Array<{ cluster: string }> }) => {
        counts.probes++;
        expect(options.workflowId).toMatch(/^probe\/a\/[0-9a-f-]{36}$/);
        return {
          result: async () => ({ kubernetesVersion: 'v1.36.3', namespaces: [], nodes: 3, zones: ['z1', 'z2'] }),
        };
      },
    },
  };
  return { client: c as unknown as Client, counts };
}

const logger = pino({ level: 'silent' });

describe('ClusterProber', () => {
  it('probes a connected cluster once for concurrent requests and serves the answer from cache', async () => {
    const { client: c, counts } = client(true);
    const prober = new ClusterProber({ client: c, logger }, { cacheMs: 60_000 });
    const [one, two] = await Promise.all([prober.status('a'), prober.status('a')]);
    expect(one).toEqual({ agentConnected: true, kubernetesVersion: 'v1.36.3', nodes: 3, zones: ['z1', 'z2'] });
    expect(two).toBe(one);
    await prober.status('a');
    expect(counts).toEqual({ describes: 1, probes: 1 });
  });

  it('asks again once the cache expired', async () => {
    const { client: c, counts } = client(true);
    const prober = new ClusterProber({ client: c, logger }, { cacheMs: 0 });
    await prober.status('a');
    await prober.status('a');
    expect(counts.probes).toBe(2);
  });

  it('starts no probe when no agent polls the cluster queue', async () => {
    const { client: c, counts } = client(false);
    const status = await new ClusterProber({ client: c, logger }).status('a');
    expect(status).toEqual({ agentConnected: false, kubernetesVersion: null, nodes: null, zones: [] });
    expect(counts.probes).toBe(0);
  });
});

import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../domain/errors.js';
import { createAgentActivities, WAITING_FOR_AGENT } from './agents.js';

// A task started while its agent (re)starts, or right after Temporal restarted and before it has
// seen the pollers again, waits for the agent for a grace period instead of failing at once.

function env() {
  const e = new MockActivityEnvironment();
  const beats: unknown[] = [];
  e.on('heartbeat', (d: unknown) => beats.push(d));
  return { e, beats };
}

describe('ensureAgent', () => {
  it('waits for an agent that appears within the grace, heartbeating that it waits, and succeeds', async () => {
    const appearsAt = Date.now() + 400;
    let checks = 0;
    const { ensureAgent } = createAgentActivities({
      graceSeconds: 3,
      firstPauseMs: 20,
      maxPauseMs: 100,
      connected: async () => (checks++, Date.now() >= appearsAt),
    });
    const { e, beats } = env();
    const started = Date.now();
    await e.run(ensureAgent, { cluster: 'a' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(checks).toBeGreaterThan(2);
    expect(beats[0]).toMatchObject({ waiting: WAITING_FOR_AGENT, cluster: 'a', graceSeconds: 3 });
  });

  it('returns at once, without a heartbeat, when the agent is there', async () => {
    const { ensureAgent } = createAgentActivities({ connected: async () => true });
    const { e, beats } = env();
    await e.run(ensureAgent, { cluster: 'a' });
    expect(beats).toEqual([]);
  });

  it("fails with the FAQ's message, not retryable, once the grace has passed", async () => {
    const { ensureAgent } = createAgentActivities({ graceSeconds: 1, firstPauseMs: 20, connected: async () => false });
    const { e } = env();
    const started = Date.now();
    const err = await e.run(ensureAgent, { cluster: 'nobody-home' }).catch((x: unknown) => x);
    const waited = Date.now() - started;
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).message).toBe(
      'The components are abnormal: no cluster agent is polling task queue cluster-nobody-home',
    );
    expect((err as ApplicationFailure).type).toBe(ErrorCode.AgentAbsent);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(2_500);
  });

  it('takes the grace from its input over the worker setting; 0 fails at once', async () => {
    const { ensureAgent } = createAgentActivities({ graceSeconds: 60, connected: async () => false });
    const started = Date.now();
    const err = await env()
      .e.run(ensureAgent, { cluster: 'a', graceSeconds: 0 })
      .catch((x: unknown) => x);
    expect((err as ApplicationFailure).type).toBe(ErrorCode.AgentAbsent);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('keeps asking while Temporal cannot answer, and after the grace throws that error (retryable), not AgentAbsent', async () => {
    let checks = 0;
    const { ensureAgent } = createAgentActivities({
      graceSeconds: 1,
      firstPauseMs: 20,
      connected: async () => {
        checks++;
        throw new Error('14 UNAVAILABLE: connection refused');
      },
    });
    const err = await env()
      .e.run(ensureAgent, { cluster: 'a' })
      .catch((x: unknown) => x);
    expect((err as Error).message).toBe('14 UNAVAILABLE: connection refused');
    expect(err).not.toBeInstanceOf(ApplicationFailure);
    expect(checks).toBeGreaterThan(2);
  });
});

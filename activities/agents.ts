import { ApplicationFailure, Context } from '@temporalio/activity';
import { agentConnected } from '../clients/agents.js';
import { ErrorCode, messages } from '../domain/errors.js';

/** The default of `agentGraceSeconds`. */
export const DEFAULT_AGENT_GRACE_SECONDS = 60;

/** What a waiting ensureAgent heartbeats (the Temporal Web UI shows it on the pending activity). */
export const WAITING_FOR_AGENT = 'waiting for the cluster agent';

export interface AgentDeps {
  /** How long a task waits for its cluster's agent before failing (config `agentGraceSeconds`). */
  graceSeconds?: number;
  /** Whether the cluster's agent polls its queue; Temporal's task-queue description by default. */
  connected?: (cluster: string) => Promise<boolean>;
  /** First pause between checks, doubled up to `maxPauseMs`. */
  firstPauseMs?: number;
  maxPauseMs?: number;
}

export function createAgentActivities(deps: AgentDeps = {}) {
  const connected = deps.connected ?? ((cluster: string) => agentConnected(Context.current().client, cluster));
  return {
    /**
     * Waits for the task's cluster agent, for at most the grace period, then fails with the FAQ's
     * "The components are abnormal" instead of waiting forever. The grace covers an agent that is
     * starting or restarting, and a Temporal server that has just restarted and has not yet seen
     * the pollers again. While it waits it heartbeats `{waiting: 'waiting for the cluster agent', …}`.
     * A check that fails (Temporal unreachable) counts as not yet; after the grace its error is
     * thrown (retried) rather than blaming an agent nobody could ask about.
     */
    async ensureAgent(input: { cluster: string; graceSeconds?: number }): Promise<void> {
      const ctx = Context.current();
      const graceSeconds = input.graceSeconds ?? deps.graceSeconds ?? DEFAULT_AGENT_GRACE_SECONDS;
      const started = Date.now();
      let pause = deps.firstPauseMs ?? 250;
      for (;;) {
        let lastError: unknown;
        try {
          if (await connected(input.cluster)) return;
        } catch (err) {
          lastError = err;
        }
        const waitedMs = Date.now() - started;
        if (waitedMs >= graceSeconds * 1000) {
          if (lastError !== undefined) throw lastError;
          throw ApplicationFailure.nonRetryable(messages.agentAbsent(input.cluster), ErrorCode.AgentAbsent);
        }
        ctx.heartbeat({
          waiting: WAITING_FOR_AGENT,
          cluster: input.cluster,
          waitedSeconds: Math.floor(waitedMs / 1000),
          graceSeconds,
        });
        // Context.sleep ends early, throwing, when the activity is cancelled.
        await ctx.sleep(Math.min(pause, graceSeconds * 1000 - waitedMs));
        pause = Math.min(pause * 2, deps.maxPauseMs ?? 2_000);
      }
    },
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;

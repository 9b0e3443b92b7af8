import { ApplicationFailure, Context } from '@temporalio/activity';
import { agentConnected } from '../clients/agents.js';
import { ErrorCode, messages } from '../domain/errors.js';

export function createAgentActivities() {
  return {
    /** Fails a task at once when nothing serves its cluster (the FAQ's "The components are abnormal"), instead of waiting forever. */
    async ensureAgent(input: { cluster: string }): Promise<void> {
      if (!(await agentConnected(Context.current().client, input.cluster))) {
        throw ApplicationFailure.nonRetryable(messages.agentAbsent(input.cluster), ErrorCode.AgentAbsent);
      }
    },
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;

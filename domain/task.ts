// What every task is made of: its phase, the issues (failed or warned items) it reports, and its
// status. A workflow keeps a TaskStatus while it runs and ends with it (the status query and the
// result); the API serves it through the per-kind status schemas built by taskStatus().

import { z } from 'zod';

export const TimestampSchema = z.iso.datetime({ offset: true }).nullable();

export const TaskIssueSchema = z
  .object({
    code: z.string().meta({ example: 'ItemFailed' }),
    message: z.string(),
    item: z.string().optional().meta({ description: 'The failed item, e.g. apps/v1/deployments/default/web.' }),
  })
  .meta({ id: 'TaskIssue' });

export const TaskPhaseSchema = z
  .enum(['InProgress', 'Completed', 'PartiallyFailed', 'Failed', 'Cancelled'])
  .meta({ id: 'TaskPhase' });
export const ConversionPhaseSchema = z
  .enum(['InProgress', 'Completed', 'PartiallyFailed', 'Failed', 'Cancelled', 'ConvertFailed'])
  .meta({ id: 'ConversionPhase' });

export function taskStatus<Phase extends z.ZodType, Progress extends z.ZodType>(phase: Phase, progress: Progress) {
  return z.object({
    phase,
    step: z.string().optional().meta({
      description:
        'While the task runs, what it is doing: e.g. WaitAgent (waiting for the cluster agent, up to agentGraceSeconds), Commit. Absent once it has ended.',
      example: 'WaitAgent',
    }),
    startTimestamp: TimestampSchema,
    completionTimestamp: TimestampSchema,
    errors: z.array(TaskIssueSchema),
    warnings: z.array(TaskIssueSchema),
    failureReason: z.string().nullable(),
    progress,
    links: z.object({
      temporalUi: z.string().nullable().meta({ description: "The workflow's page in the Temporal Web UI." }),
    }),
  });
}

/**
 * A phase as a workflow holds it: `Cancelled` once a cancelled task has cleaned up (a cancelled
 * backup leaves nothing in the vault; a cancelled restore keeps what it created); a conversion
 * fails as `ConvertFailed`.
 */
export const WorkflowPhaseSchema = z.enum([
  'InProgress',
  'Completed',
  'PartiallyFailed',
  'Failed',
  'Cancelled',
  'ConvertFailed',
]);

/** What a task's workflow reports while it runs and when it ends (status query, result, failure details). */
export const TaskStatusSchema = z.object({
  phase: WorkflowPhaseSchema,
  step: z.string(),
  startTimestamp: z.string(),
  completionTimestamp: z.string().optional(),
  errors: z.array(TaskIssueSchema),
  warnings: z.array(TaskIssueSchema),
  failureReason: z.string().optional(),
  progress: z.record(z.string(), z.number()),
});

export type TaskIssue = z.infer<typeof TaskIssueSchema>;
export type TaskPhase = z.infer<typeof TaskPhaseSchema>;
export type ConversionPhase = z.infer<typeof ConversionPhaseSchema>;
export type WorkflowPhase = z.infer<typeof WorkflowPhaseSchema>;
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

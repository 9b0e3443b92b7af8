// Backup plans (the backup center's BackupSchedule): a backup spec taken on a cron expression or
// an interval, each run an ordinary backup named `<plan>-<yyyyMMddHHmmss>`.

import { z } from 'zod';
import { BackupSpecSchema } from './backup.js';
import { scheduleProblem } from './schedule-expression.js';
import { TimestampSchema } from './task.js';
import { ObjectNameSchema, PlanNameSchema } from './values.js';

export const ScheduleExpressionSchema = z
  .string()
  .superRefine((s, ctx) => {
    const problem = scheduleProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    id: 'ScheduleExpression',
    description:
      'A 5-field cron expression (minute hour day-of-month month day-of-week, UTC) or an interval such as 6h30m (at least 1m).',
    example: '1 4 * * *',
  });

/** `POST /v1/schedules`: a backup plan. */
export const ScheduleCreateSchema = z
  .strictObject({
    name: PlanNameSchema,
    schedule: ScheduleExpressionSchema,
    paused: z.boolean().default(false),
    template: BackupSpecSchema,
  })
  .meta({ id: 'ScheduleCreate' });

export const ScheduleSpecSchema = z
  .object({ schedule: ScheduleExpressionSchema, paused: z.boolean(), template: BackupSpecSchema })
  .meta({ id: 'ScheduleSpec' });
export const ScheduleStatusSchema = z
  .object({
    paused: z.boolean(),
    nextRuns: z.array(z.iso.datetime({ offset: true })),
    lastBackup: z.object({ name: ObjectNameSchema, startTimestamp: TimestampSchema }).nullable(),
  })
  .meta({ id: 'ScheduleStatus' });
export const ScheduleSchema = z
  .object({ name: PlanNameSchema, spec: ScheduleSpecSchema, status: ScheduleStatusSchema })
  .meta({ id: 'Schedule' });

export type ScheduleCreate = z.infer<typeof ScheduleCreateSchema>;
export type ScheduleCreateInput = z.input<typeof ScheduleCreateSchema>;
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;
export type Schedule = z.infer<typeof ScheduleSchema>;

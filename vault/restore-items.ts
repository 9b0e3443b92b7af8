// `restores/<restore>/restore-<restore>-items.json.gz` is this project's addition to Velero's
// layout: the outcome of every item a restore touched, so a PartiallyFailed restore names each
// failed item and why. Velero keeps only counts and free-text results. Outcomes use Velero's item
// restore result words (created, updated, skipped, failed). Pure.

import { z } from 'zod';

export const restoreItemOutcomes = ['created', 'updated', 'skipped', 'failed'] as const;
export type RestoreItemOutcome = (typeof restoreItemOutcomes)[number];

export const restoreItemSchema = z.object({
  group: z.string(),
  version: z.string(),
  resource: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  outcome: z.enum(restoreItemOutcomes),
  /** Stable machine code beside the message (lib/errors.ts ErrorCode) for failed or skipped items. */
  code: z.string().optional(),
  message: z.string().optional(),
});
export type RestoreItem = z.infer<typeof restoreItemSchema>;

export function parseRestoreItems(json: unknown): RestoreItem[] {
  const parsed = z.array(restoreItemSchema).safeParse(json);
  if (!parsed.success) throw new Error(`invalid restore items document: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

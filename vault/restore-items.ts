// `restores/<restore>/restore-<restore>-items.json.gz` is this project's addition to Velero's
// layout: the outcome of every item a restore touched, so a PartiallyFailed restore names each
// failed item and why. Velero keeps only counts and free-text results. Pure.

import { z } from 'zod';
import { RestoreItemSchema, type RestoreItem } from '../domain/restore.js';

// Restores recorded before the item schema moved to the domain model said `message` for `reason`.
const StoredRestoreItemSchema = z.preprocess(
  (v) =>
    typeof v === 'object' && v !== null && 'message' in v && !('reason' in v)
      ? (({ message, ...rest }: Record<string, unknown>) => ({ ...rest, reason: message }))(
          v as Record<string, unknown>,
        )
      : v,
  RestoreItemSchema,
);

export function parseRestoreItems(json: unknown): RestoreItem[] {
  const parsed = z.array(StoredRestoreItemSchema).safeParse(json);
  if (!parsed.success) throw new Error(`invalid restore items document: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

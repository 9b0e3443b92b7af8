// Delete requests (the backup center's DeleteRequest): remove a backup with its data, a restore's
// records, or a backup plan.

import { z } from 'zod';
import { taskStatus, TaskPhaseSchema } from './task.js';
import { NameSchema, ObjectNameSchema } from './values.js';

export const DeleteObjectTypeSchema = z
  .enum(['Backup', 'Restore', 'Convert', 'Schedule'])
  .meta({ id: 'DeleteObjectType' });

/** `POST /v1/delete-requests`. */
export const DeleteRequestCreateSchema = z
  .strictObject({
    deleteObjectName: ObjectNameSchema,
    deleteObjectType: DeleteObjectTypeSchema,
    cluster: NameSchema.optional().meta({
      description:
        'Backup only: the cluster asking. A backup deleted by a cluster other than the one that made it is marked deleted (no longer listed) and its data stays in the vault.',
    }),
  })
  .meta({ id: 'DeleteRequestCreate' });

export const DeleteProgressSchema = z
  .object({ totalItems: z.number().int().nonnegative(), itemsDeleted: z.number().int().nonnegative() })
  .meta({ id: 'DeleteProgress' });
export const DeleteRequestStatusSchema = taskStatus(TaskPhaseSchema, DeleteProgressSchema).meta({
  id: 'DeleteRequestStatus',
});

export const DeleteRequestSchema = z
  .object({
    name: ObjectNameSchema,
    spec: DeleteRequestCreateSchema,
    status: DeleteRequestStatusSchema,
  })
  .meta({ id: 'DeleteRequest' });

export type DeleteObjectType = z.infer<typeof DeleteObjectTypeSchema>;
export type DeleteRequestCreate = z.infer<typeof DeleteRequestCreateSchema>;
export type DeleteRequestStatus = z.infer<typeof DeleteRequestStatusSchema>;
export type DeleteRequest = z.infer<typeof DeleteRequestSchema>;

/** The longest name of a delete request: an object name's own limit (ObjectNameSchema). */
export const MAX_DELETE_REQUEST_NAME = 253;
const HASH_LENGTH = 12;

/**
 * A delete request's name: `<type>-<object>`, the type lowercased (`backup-nginx-1`). The FAQ's
 * `<object>-dbr` cannot tell a backup from a restore or plan of the same name, so the type leads.
 * When that would pass 253 characters (an object name may itself be 253), the object part is cut
 * and a stable hash of the whole object name is appended (`backup-<first 226 characters>-<12 hex>`):
 * still readable, always a valid name, distinct for distinct objects.
 */
export function deleteRequestName(type: DeleteObjectType, object: string): string {
  const prefix = `${type.toLowerCase()}-`;
  if (prefix.length + object.length <= MAX_DELETE_REQUEST_NAME) return prefix + object;
  const hash = stableHash(object);
  // The cut must not leave a '-' or '.' before the hash's '-' (a DNS-1123 subdomain forbids it).
  const head = object.slice(0, MAX_DELETE_REQUEST_NAME - prefix.length - 1 - hash.length).replace(/[-.]+$/, '');
  return `${prefix}${head}-${hash}`;
}

/**
 * The inverse of deleteRequestName: the type and the name's object part (the object's name, or its
 * shortened form for a long one: the delete workflow's id is made of that part, so either finds it),
 * or undefined when the name does not start with a type.
 */
export function parseDeleteRequestName(name: string): { type: DeleteObjectType; object: string } | undefined {
  for (const type of DeleteObjectTypeSchema.options) {
    const prefix = `${type.toLowerCase()}-`;
    if (name.startsWith(prefix) && name.length > prefix.length) return { type, object: name.slice(prefix.length) };
  }
  return undefined;
}

/** The object part of the request's name (what follows `<type>-`); the object's name when it fits. */
export function deleteRequestKey(type: DeleteObjectType, object: string): string {
  return deleteRequestName(type, object).slice(type.length + 1);
}

/** 12 hex digits of cyrb53 (a 53-bit string hash): deterministic, so workflows may use it. */
function stableHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(HASH_LENGTH, '0').slice(-HASH_LENGTH);
}

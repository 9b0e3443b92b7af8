// Workflow types and the fixed ids tasks run under (DESIGN "Tasks are workflows"). A second task
// with a used name meets its id and is refused; the API finds a task by its id alone.

import { deleteRequestKey, type DeleteObjectType } from '../domain/delete-request.js';

/** Task types a client starts by name; the value of the BackupCenterTaskType search attribute. */
export type TaskType = 'Backup' | 'Restore';

const ID_PREFIX: Record<TaskType, string> = { Backup: 'backup', Restore: 'restore' };

/** Workflow type names, for clients that start workflows without importing workflow code. */
export const WorkflowType = {
  Backup: 'BackupWorkflow',
  Restore: 'RestoreWorkflow',
  Delete: 'DeleteWorkflow',
  ScheduledBackup: 'ScheduledBackupWorkflow',
  Retention: 'RetentionWorkflow',
  Vault: 'VaultWorkflow',
  VaultRegistry: 'VaultRegistryWorkflow',
  ClusterProbe: 'ClusterProbeWorkflow',
} as const;

/** `backup/<name>`, `restore/<name>`. */
export function taskWorkflowId(type: TaskType, name: string): string {
  return `${ID_PREFIX[type]}/${name}`;
}

/** The task's name from its workflow id, or undefined when the id is not of that type. */
export function taskNameFromWorkflowId(type: TaskType, workflowId: string): string | undefined {
  const prefix = `${ID_PREFIX[type]}/`;
  return workflowId.startsWith(prefix) ? workflowId.slice(prefix.length) : undefined;
}

/**
 * `delete/<type>/<name>`, type lowercased: one running delete request per object. A name too long
 * for its request's name is shortened the same way (deleteRequestName), so the request's name
 * finds its workflow; a shortened name maps to itself.
 */
export function deleteWorkflowId(type: DeleteObjectType, name: string): string {
  return `delete/${type.toLowerCase()}/${deleteRequestKey(type, name)}`;
}

/** The one writer of the set of vaults. */
export const VAULT_REGISTRY_WORKFLOW_ID = 'vaults';

export function vaultWorkflowId(name: string): string {
  return `vault/${name}`;
}

export const PLAN_SCHEDULE_PREFIX = 'plan/';

/** A backup plan's Temporal Schedule. */
export function planScheduleId(plan: string): string {
  return `${PLAN_SCHEDULE_PREFIX}${plan}`;
}

/** The plan name of a backup plan's schedule id, or undefined for other schedules (`gc/retention`). */
export function planNameOf(scheduleId: string): string | undefined {
  return scheduleId.startsWith(PLAN_SCHEDULE_PREFIX) ? scheduleId.slice(PLAN_SCHEDULE_PREFIX.length) : undefined;
}

/** The retention schedule, and the id of the workflow runs it starts. */
export const RETENTION_SCHEDULE_ID = 'gc/retention';

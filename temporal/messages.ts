// Every signal, query and update a workflow handles, defined once for the workflows that handle
// them and the clients and activities that send them.

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TaskStatus } from '../domain/task.js';
import type { VaultCreate, VaultStatus } from '../domain/vault.js';
import type { RegisterVaultInput, VaultEntry } from './workflow-inputs.js';

/** The progress query every task workflow answers. */
export const statusQuery = defineQuery<TaskStatus>('status');

/** Long activities report counters through this signal, throttled, so history grows with time, not with objects. */
export const progressSignal = defineSignal<[Record<string, number>]>('progress');

export const vaultStatusQuery = defineQuery<VaultStatus>('vaultStatus');
export const vaultSpecQuery = defineQuery<VaultCreate>('vaultSpec');
/** Ends a vault's workflow: sent by the registry when the vault is deleted. */
export const deleteVaultSignal = defineSignal('delete');
/** Runs the connectivity test now instead of at the next 5-minute tick. */
export const revalidateVaultSignal = defineSignal('revalidate');

export const vaultEntriesQuery = defineQuery<VaultEntry[]>('vaults');
export const registerVaultUpdate = defineUpdate<VaultEntry, [RegisterVaultInput]>('registerVault');
export const deleteVaultUpdate = defineUpdate<VaultEntry, [{ name: string }]>('deleteVault');

// The vault registry as the rest of the system sees it (a client of Temporal): vaults from the configuration plus those
// created through the API, which live in Temporal (the registry workflow `vaults` and one workflow
// `vault/<name>` per vault; see workflows/vault.ts). The control worker's activities and the API
// read it through a Temporal Client; nothing is cached, since a deleted vault must stop being used.

import {
  WithStartWorkflowOperation,
  WorkflowIdConflictPolicy,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  ApplicationFailure,
  isGrpcServiceError,
  type Client,
} from '@temporalio/client';
import type { Logger } from '../lib/logger.js';
import { vaultLocation } from '../domain/vault-location.js';
import { CONTROL_TASK_QUEUE } from '../temporal/task-queues.js';
import {
  deleteVaultUpdate,
  registerVaultUpdate,
  revalidateVaultSignal,
  vaultEntriesQuery,
  vaultSpecQuery,
  vaultStatusQuery,
} from '../temporal/messages.js';
import { VAULT_REGISTRY_WORKFLOW_ID, vaultWorkflowId, WorkflowType } from '../temporal/workflow-ids.js';
import type { RegisterVaultInput, VaultEntry } from '../temporal/workflow-inputs.js';
import { ErrorCode } from '../domain/errors.js';
import type { VaultCreate, VaultStatus } from '../domain/vault.js';
import type { VaultRegistry } from '../vault/open.js';
import { startedSpec } from './started-spec.js';

const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;

/**
 * Whether the call ran out of its deadline: a gRPC DEADLINE_EXCEEDED, bare or as a ServiceError's
 * cause; grpc-js may report a call cut at its deadline as CANCELLED instead.
 */
function deadlineExceeded(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 3; depth++) {
    if (isGrpcServiceError(e) && (e.code === GRPC_DEADLINE_EXCEEDED || e.code === GRPC_CANCELLED)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export interface TemporalVaultRegistryOptions {
  /** A client, or a getter (inside activities: `() => Context.current().client`). */
  client: Client | (() => Client);
  /** Vaults from the configuration; they win over registered ones of the same name. */
  configured?: readonly VaultCreate[];
}

/** VaultRegistry over config.vaults and the registry workflow. */
export class TemporalVaultRegistry implements VaultRegistry {
  private readonly clientOf: () => Client;
  readonly configured: readonly VaultCreate[];

  constructor(options: TemporalVaultRegistryOptions) {
    const { client } = options;
    this.clientOf = typeof client === 'function' ? client : () => client;
    this.configured = options.configured ?? [];
  }

  async get(name: string): Promise<VaultCreate | undefined> {
    const configured = this.configured.find((v) => v.name === name);
    if (configured) return configured;
    const entries = await registryEntries(this.clientOf());
    if (entries) {
      const entry = entries.find((e) => e.name === name);
      return entry?.state === 'live' ? entry.spec : undefined;
    }
    return runningVault(this.clientOf(), name);
  }

  async list(): Promise<VaultCreate[]> {
    const names = new Set(this.configured.map((v) => v.name));
    const client = this.clientOf();
    const entries = await registryEntries(client);
    const live = entries ? entries.filter((e) => e.state === 'live').map((e) => e.spec) : await runningVaults(client);
    const registered = live.filter((v) => !names.has(v.name));
    return [...this.configured, ...registered].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/**
 * How long reads wait for the registry workflow (the control worker) before they read Temporal's
 * own records instead: a vault is live while its workflow `vault/<name>` runs, and its spec is that
 * workflow's input. Those records need no worker, so reads go on while the control worker is down.
 */
export const REGISTRY_READ_DEADLINE_MS = 5_000;

/** The registry's entries, or undefined when the control worker does not answer in time. */
async function registryEntries(client: Client): Promise<VaultEntry[] | undefined> {
  try {
    return await client.withDeadline(Date.now() + REGISTRY_READ_DEADLINE_MS, () =>
      client.workflow.getHandle(VAULT_REGISTRY_WORKFLOW_ID).query(vaultEntriesQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return [];
    if (deadlineExceeded(err)) return undefined;
    throw err;
  }
}

/** A vault whose workflow runs, read without a worker; undefined when it does not run. */
async function runningVault(client: Client, name: string): Promise<VaultCreate | undefined> {
  try {
    const info = await client.workflow.getHandle(vaultWorkflowId(name)).describe();
    if (info.status.name !== 'RUNNING') return undefined;
    return (await startedSpec(client, info)) as VaultCreate | undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Every vault whose workflow runs, from visibility and the workflows' inputs, without a worker. */
async function runningVaults(client: Client): Promise<VaultCreate[]> {
  const out: VaultCreate[] = [];
  const query = `WorkflowType = '${WorkflowType.Vault}' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query })) {
    const spec = await startedSpec(client, info);
    if (spec) out.push(spec as VaultCreate);
  }
  return out;
}

export function createTemporalVaultRegistry(options: TemporalVaultRegistryOptions): TemporalVaultRegistry {
  return new TemporalVaultRegistry(options);
}

/** How long a vault's status query waits for the control worker before the status says it is unknown. */
export const STATUS_READ_DEADLINE_MS = 3_000;

/**
 * Registers a vault (starting the registry if needed) and starts its workflow. Rejections are
 * WorkflowUpdateFailedError whose cause is an ApplicationFailure of a VaultRegistryError type.
 */
export async function registerVault(client: Client, input: RegisterVaultInput): Promise<VaultEntry> {
  return withControlWorker(client, () =>
    client.workflow.executeUpdateWithStart(registerVaultUpdate, {
      args: [input],
      startWorkflowOperation: new WithStartWorkflowOperation(WorkflowType.VaultRegistry, {
        workflowId: VAULT_REGISTRY_WORKFLOW_ID,
        taskQueue: CONTROL_TASK_QUEUE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        args: [{}],
      }),
    }),
  );
}

/** How long a change of the vault set waits for the control worker, which runs the registry. */
export const UPDATE_DEADLINE_MS = 15_000;

/** The control worker did not take a change of the vault set in time; Temporal itself answered. */
export class ControlWorkerUnavailableError extends Error {
  override name = 'ControlWorkerUnavailable';
  constructor(cause: unknown) {
    super(
      `the control worker (task queue ${CONTROL_TASK_QUEUE}) did not answer within ${UPDATE_DEADLINE_MS / 1000} s; the request may still take effect when it comes back`,
      { cause },
    );
  }
}

async function withControlWorker<T>(client: Client, update: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, update);
  } catch (err) {
    if (deadlineExceeded(err)) throw new ControlWorkerUnavailableError(err);
    throw err;
  }
}

/** Deletes a vault: its name becomes a tombstone, its workflow ends. Its backups stay in the storage. */
export async function deleteVault(client: Client, name: string): Promise<VaultEntry> {
  try {
    return await withControlWorker(client, () =>
      client.workflow.getHandle(VAULT_REGISTRY_WORKFLOW_ID).executeUpdate(deleteVaultUpdate, { args: [{ name }] }),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      throw new WorkflowUpdateFailedError(
        'vault not found',
        ApplicationFailure.nonRetryable(`vault ${name} not found`, ErrorCode.VaultNotFound),
      );
    }
    throw err;
  }
}

/** The type and message of a refused registry update, or undefined for any other error. */
export function registryRefusal(err: unknown): { type: string; message: string } | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  return { type: err.cause.type ?? 'Unknown', message: err.cause.message };
}

/**
 * A vault's status from its workflow; undefined when it has none (a configured vault not registered
 * yet). When no worker answers in time the phase is InProgress with a message saying so.
 */
export async function vaultStatus(client: Client, name: string): Promise<VaultStatus | undefined> {
  try {
    return await client.withDeadline(Date.now() + STATUS_READ_DEADLINE_MS, () =>
      client.workflow.getHandle(vaultWorkflowId(name)).query(vaultStatusQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    if (deadlineExceeded(err)) {
      return {
        phase: 'InProgress',
        lastValidated: null,
        message: 'status unknown: the control worker did not answer in time',
      };
    }
    throw err;
  }
}

/** The immutable spec a vault's workflow holds. */
export async function vaultSpec(client: Client, name: string): Promise<VaultCreate | undefined> {
  try {
    return await client.workflow.getHandle(vaultWorkflowId(name)).query(vaultSpecQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Runs a vault's connectivity test now. */
export async function revalidateVault(client: Client, name: string): Promise<void> {
  await client.workflow.getHandle(vaultWorkflowId(name)).signal(revalidateVaultSignal);
}

/**
 * Registers the configured vaults (config.vaults) at start, so they are validated and their names
 * and prefixes take part in the registry's checks. Idempotent: the same settings again are a no-op.
 * A configured vault the registry refuses (a deleted name, an overlapping prefix) is logged and
 * skipped; it stays usable by tasks, since configuration is the operator's word.
 */
export async function registerConfiguredVaults(
  client: Client,
  vaults: readonly VaultCreate[],
  vaultRoot: string,
  logger?: Logger,
): Promise<Array<{ name: string; refused?: string }>> {
  const out: Array<{ name: string; refused?: string }> = [];
  for (const spec of vaults) {
    try {
      await registerVault(client, { spec, location: vaultLocation(spec, vaultRoot), configured: true });
      out.push({ name: spec.name });
    } catch (err) {
      const refusal = registryRefusal(err);
      if (!refusal) throw err;
      logger?.warn({ vault: spec.name, reason: refusal.message }, 'configured vault not registered');
      out.push({ name: spec.name, refused: refusal.message });
    }
  }
  return out;
}

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { VaultCreate } from '../api/schemas.js';
import type { LifecycleActivities } from '../activities/vault/lifecycle.js';
import { messages } from '../lib/errors.js';
import { PhaseKey, TaskTypeKey, VaultKey } from '../lib/search-attributes.js';
import { locationConflict, type VaultLocation } from '../vault/locations.js';

// Backup vaults (the backup center's BackupLocation). Two workflows:
//
// - VaultRegistryWorkflow, id `vaults`: the one writer of the set of vaults. Every creation and
//   deletion is an Update to it, so "is the name free?" and "does the prefix overlap a live vault?"
//   are answered against a state no concurrent request can change in between. It never completes
//   (continue-as-new carries its state), so its list of deleted names, the tombstones that keep a
//   deleted vault's name from ever being reused, is not subject to the namespace retention that
//   ends Temporal's own REJECT_DUPLICATE id reuse protection.
// - VaultWorkflow, id `vault/<name>`: one per vault, holding its immutable spec (the input). It
//   creates the location (a filesystem vault's directory), claims it with the marker file
//   `metadata/backup-center-vault.json`, validates it now and every 5 minutes (the FAQ's
//   connectivity test), answers the status query, and ends on the `delete` signal after stamping
//   the marker deleted: the storage itself then remembers the retired name too.

export type VaultPhase = 'InProgress' | 'Available' | 'Unavailable';

/** A vault's `status` as the API serves it. */
export interface VaultStatus {
  phase: VaultPhase;
  lastValidated: string | null;
  message: string | null;
}

/** One vault as the registry knows it; deleted entries are the tombstones. */
export interface VaultEntry {
  name: string;
  spec: VaultCreate;
  location: VaultLocation;
  state: 'live' | 'deleted';
  /** Preconfigured (config.vaults) rather than created through the API: not deletable through it. */
  configured: boolean;
  createdAt: string;
  deletedAt?: string;
}

export interface RegisterVaultInput {
  spec: VaultCreate;
  /** Where the vault lives, computed by the caller with the configured vaultRoot (vault/locations.ts). */
  location: VaultLocation;
  configured?: boolean;
}

/** Failure types of the registry's updates; the API maps them to 409 and 404. */
export const VaultRegistryError = {
  NameAlreadyUsed: 'NameAlreadyUsed',
  PrefixConflict: 'VaultPrefixConflict',
  NotFound: 'VaultNotFound',
  Configured: 'VaultConfigured',
} as const;

export const VAULT_REGISTRY_WORKFLOW_ID = 'vaults';

export function vaultWorkflowId(name: string): string {
  return `vault/${name}`;
}

export const vaultStatusQuery = defineQuery<VaultStatus>('vaultStatus');
export const vaultSpecQuery = defineQuery<VaultCreate>('vaultSpec');
/** Ends a vault's workflow: sent by the registry when the vault is deleted. */
export const deleteVaultSignal = defineSignal('delete');
/** Runs the connectivity test now instead of at the next 5-minute tick. */
export const revalidateVaultSignal = defineSignal('revalidate');

export const vaultEntriesQuery = defineQuery<VaultEntry[]>('vaults');
export const registerVaultUpdate = defineUpdate<VaultEntry, [RegisterVaultInput]>('registerVault');
export const deleteVaultUpdate = defineUpdate<VaultEntry, [{ name: string }]>('deleteVault');

/** The FAQ: "The connectivity test is performed at intervals of 5 minutes." */
export const VALIDATION_INTERVAL = '5 minutes';
/** Validation cycles per run before continue-as-new: about ten events each, a day's worth at most. */
export const CYCLES_PER_RUN = 250;
/** Registry updates per run before continue-as-new. */
export const UPDATES_PER_RUN = 500;

/** Vault checks are short and say "unavailable" in their result; a thrown error is the worker's own trouble. */
const vaultActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
};

export interface VaultInput {
  spec: VaultCreate;
  /** Carried over continue-as-new. */
  status?: VaultStatus;
  /** The location was created and claimed by an earlier run. */
  claimed?: boolean;
}

/**
 * A backup vault: create and claim its location, then validate it every 5 minutes until deleted.
 * A vault that cannot be reached, or whose prefix holds anything but the backup center's own
 * directories, is Unavailable with the FAQ's message; tasks that use it fail with VaultError.
 */
export async function VaultWorkflow({
  spec,
  status: carried,
  claimed: wasClaimed = false,
}: VaultInput): Promise<VaultStatus> {
  const vault = proxyActivities<LifecycleActivities>(vaultActivityOptions);

  const status: VaultStatus = carried ?? { phase: 'InProgress', lastValidated: null, message: null };
  let claimed = wasClaimed;
  let deleted = false;
  let revalidate = false;
  setHandler(vaultStatusQuery, () => status);
  setHandler(vaultSpecQuery, () => spec);
  setHandler(deleteVaultSignal, () => void (deleted = true));
  setHandler(revalidateVaultSignal, () => void (revalidate = true));
  const setStatus = (phase: VaultPhase, message: string | null) => {
    const changed = phase !== status.phase;
    Object.assign(status, { phase, message, lastValidated: new Date().toISOString() });
    if (changed) searchAttributes();
  };
  const searchAttributes = () =>
    upsertSearchAttributes([
      { key: TaskTypeKey, value: 'Vault' },
      { key: PhaseKey, value: status.phase },
      { key: VaultKey, value: spec.name },
    ]);
  searchAttributes();

  for (let cycle = 0; !deleted; cycle++) {
    revalidate = false; // a signal arriving while this cycle's checks run asks for one more
    try {
      if (!claimed) {
        const claim = await vault.initVault({ spec });
        claimed = claim.ok;
        if (!claim.ok) setStatus('Unavailable', claim.message);
      }
      if (claimed) {
        const result = await vault.validateVault({ spec });
        setStatus(result.ok ? 'Available' : 'Unavailable', result.ok ? null : result.message);
      }
    } catch (err) {
      setStatus('Unavailable', messages.vaultUnavailable(err instanceof Error ? err.message : String(err)));
    }

    await condition(() => deleted || revalidate, VALIDATION_INTERVAL);
    if (!deleted && !revalidate && (workflowInfo().continueAsNewSuggested || cycle + 1 >= CYCLES_PER_RUN)) {
      await continueAsNew<typeof VaultWorkflow>({ spec, status, claimed });
    }
  }

  // The name stays retired in the registry; stamping the marker makes the storage remember it too.
  await vault.retireVault({ spec }).catch(() => undefined);
  return status;
}

export interface VaultRegistryInput {
  vaults?: VaultEntry[];
}

/**
 * The set of vaults, live and deleted. Creation and deletion are Updates with validators, so a
 * refused request (used name, overlapping prefix, unknown vault) leaves no trace in history.
 */
export async function VaultRegistryWorkflow({ vaults = [] }: VaultRegistryInput = {}): Promise<void> {
  const entries = new Map(vaults.map((e) => [e.name, e]));
  let updates = 0;
  setHandler(vaultEntriesQuery, () => [...entries.values()]);

  setHandler(
    registerVaultUpdate,
    async (input) => {
      const existing = entries.get(input.spec.name);
      if (existing && isSameConfiguredVault(existing, input)) return existing;
      const refusal = registrationProblem(entries, input);
      if (refusal) throw refusal;
      const entry: VaultEntry = {
        name: input.spec.name,
        spec: input.spec,
        location: input.location,
        state: 'live',
        configured: input.configured ?? false,
        createdAt: new Date().toISOString(),
      };
      entries.set(entry.name, entry);
      updates++;
      try {
        await startChild(VaultWorkflow, {
          workflowId: vaultWorkflowId(entry.name),
          args: [{ spec: entry.spec }],
          // The vault outlives this run of the registry (continue-as-new) and is ended by `delete`.
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          // A vault of that name existed before this registry knew it: the name is used, for good.
          Object.assign(entry, { state: 'deleted', deletedAt: entry.createdAt });
          throw ApplicationFailure.create({
            type: VaultRegistryError.NameAlreadyUsed,
            message: `vault ${entry.name} existed before; the name of a deleted vault cannot be reused`,
            nonRetryable: true,
          });
        }
        entries.delete(entry.name);
        throw ApplicationFailure.create({
          type: 'Internal',
          message: `vault ${entry.name} could not be started`,
          cause: err as Error,
        });
      }
      return entry;
    },
    {
      validator: (input) => {
        const existing = entries.get(input.spec.name);
        if (existing && isSameConfiguredVault(existing, input)) return;
        const refusal = registrationProblem(entries, input);
        if (refusal) throw refusal;
      },
    },
  );

  setHandler(
    deleteVaultUpdate,
    async ({ name }) => {
      const entry = entries.get(name);
      const refusal = deletionProblem(entry, name);
      if (refusal || !entry) throw refusal;
      Object.assign(entry, { state: 'deleted', deletedAt: new Date().toISOString() });
      updates++;
      // The vault's workflow may already be gone (terminated by an operator): the tombstone is what counts.
      await getExternalWorkflowHandle(vaultWorkflowId(name))
        .signal(deleteVaultSignal)
        .catch(() => undefined);
      return entry;
    },
    { validator: ({ name }) => void throwIf(deletionProblem(entries.get(name), name)) },
  );

  await condition(() => updates >= UPDATES_PER_RUN || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof VaultRegistryWorkflow>({ vaults: [...entries.values()] });
}

function throwIf(failure: ApplicationFailure | undefined): void {
  if (failure) throw failure;
}

/** Why `input` cannot be registered: a used or retired name, or a location overlapping a live vault. */
function registrationProblem(
  entries: Map<string, VaultEntry>,
  input: RegisterVaultInput,
): ApplicationFailure | undefined {
  const name = input.spec.name;
  const existing = entries.get(name);
  if (existing) {
    return ApplicationFailure.create({
      type: VaultRegistryError.NameAlreadyUsed,
      nonRetryable: true,
      message:
        existing.state === 'deleted'
          ? `vault ${name} was deleted; the name of a deleted vault cannot be reused`
          : existing.configured && input.configured
            ? `vault ${name} is registered with other settings; a vault cannot be modified, create one with another name`
            : `vault ${name} already exists`,
    });
  }
  const live = [...entries.values()].filter((e) => e.state === 'live');
  const conflict = locationConflict(input.location, live);
  if (conflict)
    return ApplicationFailure.create({
      type: VaultRegistryError.PrefixConflict,
      nonRetryable: true,
      message: conflict,
    });
  return undefined;
}

function deletionProblem(entry: VaultEntry | undefined, name: string): ApplicationFailure | undefined {
  if (!entry || entry.state === 'deleted') {
    return ApplicationFailure.create({
      type: VaultRegistryError.NotFound,
      nonRetryable: true,
      message: `vault ${name} not found`,
    });
  }
  if (entry.configured) {
    return ApplicationFailure.create({
      type: VaultRegistryError.Configured,
      nonRetryable: true,
      message: `vault ${name} is preconfigured (config.vaults); remove it from the configuration instead`,
    });
  }
  return undefined;
}

/** A preconfigured vault registered again at the next start with the same settings: nothing to do. */
function isSameConfiguredVault(existing: VaultEntry, input: RegisterVaultInput): boolean {
  return (
    existing.state === 'live' &&
    existing.configured &&
    input.configured === true &&
    canonicalJson(existing.spec) === canonicalJson(input.spec)
  );
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

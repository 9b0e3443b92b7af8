import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import {
  allHandlersFinished,
  log,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities/vault/lifecycle.js';
import { ErrorCode, messages } from '../domain/errors.js';
import { locationConflict } from '../domain/vault-location.js';
import type { VaultPhase, VaultStatus } from '../domain/vault.js';
import { vaultCheckActivityOptions } from '../temporal/activity-options.js';
import {
  deleteVaultSignal,
  deleteVaultUpdate,
  registerVaultUpdate,
  revalidateVaultSignal,
  vaultEntriesQuery,
  vaultSpecQuery,
  vaultStatusQuery,
} from '../temporal/messages.js';
import { PhaseKey, TaskTypeKey, VaultKey } from '../temporal/search-attributes.js';
import { vaultWorkflowId } from '../temporal/workflow-ids.js';
import { causeMessage } from './failure.js';
import type { RegisterVaultInput, VaultEntry, VaultInput, VaultRegistryInput } from '../temporal/workflow-inputs.js';

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

/** The FAQ: "The connectivity test is performed at intervals of 5 minutes." */
export const VALIDATION_INTERVAL = '5 minutes';
/** Validation cycles per run before continue-as-new: about ten events each, a day's worth at most. */
export const CYCLES_PER_RUN = 250;
/** Registry updates per run before continue-as-new. */
export const UPDATES_PER_RUN = 500;

/**
 * VaultWorkflow's input. The two knobs exist for tests that reach continue-as-new in seconds; they
 * default to the constants above (an input without them, as every recorded run has, behaves as
 * before) and are carried over continue-as-new.
 */
export interface VaultWorkflowInput extends VaultInput {
  /** Validation cycles per run: CYCLES_PER_RUN unless set. */
  cyclesPerRun?: number;
  /** Time between validations: VALIDATION_INTERVAL unless set. */
  validationInterval?: Duration;
}

/** VaultRegistryWorkflow's input; `updatesPerRun` (UPDATES_PER_RUN unless set) is for tests, carried over continue-as-new. */
export interface VaultRegistryWorkflowInput extends VaultRegistryInput {
  updatesPerRun?: number;
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
  cyclesPerRun,
  validationInterval,
}: VaultWorkflowInput): Promise<VaultStatus> {
  const vault = proxyActivities<LifecycleActivities>(vaultCheckActivityOptions);

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

    await condition(() => deleted || revalidate, validationInterval ?? VALIDATION_INTERVAL);
    if (
      !deleted &&
      !revalidate &&
      (workflowInfo().continueAsNewSuggested || cycle + 1 >= (cyclesPerRun ?? CYCLES_PER_RUN))
    ) {
      await continueAsNew<typeof VaultWorkflow>({
        spec,
        status,
        claimed,
        ...(cyclesPerRun === undefined ? {} : { cyclesPerRun }),
        ...(validationInterval === undefined ? {} : { validationInterval }),
      });
    }
  }

  // The name stays retired in the registry; stamping the marker makes the storage remember it too.
  // A failure to stamp it does not undo the deletion: the vault's final status says so instead.
  await vault.retireVault({ spec }).catch((err: unknown) => {
    const cause = causeMessage(err);
    status.message = `deleted, but the location's marker could not be stamped deleted: ${cause}`;
    log.warn('vault retired without stamping its marker', { vault: spec.name, cause });
  });
  return status;
}

/**
 * The set of vaults, live and deleted. Creation and deletion are Updates with validators, so a
 * refused request (used name, overlapping prefix, unknown vault) leaves no trace in history.
 */
export async function VaultRegistryWorkflow({
  vaults = [],
  updatesPerRun,
}: VaultRegistryWorkflowInput = {}): Promise<void> {
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
            type: ErrorCode.NameAlreadyUsed,
            message: `vault ${entry.name} existed before; the name of a deleted vault cannot be reused`,
            nonRetryable: true,
          });
        }
        entries.delete(entry.name);
        throw ApplicationFailure.create({
          type: ErrorCode.Internal,
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

  await condition(() => updates >= (updatesPerRun ?? UPDATES_PER_RUN) || workflowInfo().continueAsNewSuggested);
  await condition(allHandlersFinished);
  await continueAsNew<typeof VaultRegistryWorkflow>({
    vaults: [...entries.values()],
    ...(updatesPerRun === undefined ? {} : { updatesPerRun }),
  });
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
      type: ErrorCode.NameAlreadyUsed,
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
      type: ErrorCode.VaultPrefixConflict,
      nonRetryable: true,
      message: conflict,
    });
  return undefined;
}

function deletionProblem(entry: VaultEntry | undefined, name: string): ApplicationFailure | undefined {
  if (!entry || entry.state === 'deleted') {
    return ApplicationFailure.create({
      type: ErrorCode.VaultNotFound,
      nonRetryable: true,
      message: `vault ${name} not found`,
    });
  }
  if (entry.configured) {
    return ApplicationFailure.create({
      type: ErrorCode.VaultConfigured,
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

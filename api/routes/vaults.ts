// /v1/vaults: backup vaults (the backup center's BackupLocation). Creating registers the vault with
// the registry workflow `vaults`, which refuses a used or deleted name and a prefix that is the
// parent or child of a live vault's in the same bucket, and starts its workflow `vault/<name>`
// (validation now and every 5 minutes). A vault is immutable (the FAQ's "Can I modify the backup
// vault?"): PUT and PATCH are 405. Deleting keeps the name retired forever; the backups stay in
// the storage. Vaults from the configuration are listed too and cannot be deleted here.

import { deleteVault, registerVault, registryRefusal, vaultStatus } from '../../clients/vault-registry.js';
import type { Config } from '../../config/schema.js';
import type { FieldError } from '../../domain/validation.js';
import { isRecord } from '../../domain/values.js';
import { endpointRefusal, locationConflict, rootConfinement, vaultLocation } from '../../domain/vault-location.js';
import { ErrorCode } from '../../domain/errors.js';
import {
  type VaultStatus,
  VaultCreateSchema,
  VaultSchema,
  vaultProtection,
  type Vault,
  type VaultCreate,
} from '../../domain/vault.js';
import type { ApiDeps } from '../deps.js';
import { conflict, HttpProblem, notFound } from '../problem.js';
import { PROBLEM, route, type Refusal, type Route } from '../route-table.js';
import { NameParamsSchema, VaultListSchema } from '../schemas.js';
import { mapLimit } from '../../lib/concurrency.js';
import { symlinkEscape, vaultDirectory } from '../../vault/open.js';

/** The FAQ's answer to "Can I modify the backup vault?". */
export const VAULT_IMMUTABLE =
  'A backup vault cannot be modified: delete it and create a vault with another name (the name of a deleted vault cannot be reused)';

/** PUT and PATCH of a vault are 405 with the FAQ's answer. */
export const VAULT_REFUSALS: readonly Refusal[] = ['/v1/vaults', '/v1/vaults/{name}'].map((path) => ({
  path,
  methods: ['put', 'patch'],
  role: 'admin',
  detail: VAULT_IMMUTABLE,
}));

const NOT_VALIDATED: VaultStatus = { phase: 'InProgress', lastValidated: null, message: null };

function toVault(spec: VaultCreate, status: VaultStatus | undefined): Vault {
  const { name, ...rest } = spec;
  return { name, spec: rest, status: { ...(status ?? NOT_VALIDATED), protection: vaultProtection(rest) } };
}

export function vaultRoutes(deps: ApiDeps): Route[] {
  const vaultRoot = deps.config.vaultRoot; // absolute: config/load.ts resolves it
  const tag = 'vaults';
  return [
    route({
      method: 'post',
      path: '/v1/vaults',
      operationId: 'createVault',
      summary: 'Create a backup vault',
      tag,
      role: 'admin',
      request: { body: VaultCreateSchema, bodyChecks: (raw, errors) => vaultConfigErrors(deps.config, raw, errors) },
      responses: { 201: { description: 'The vault; validation starts.', schema: VaultSchema }, 409: PROBLEM },
      handler: async ({ body: spec, res }) => {
        const location = vaultLocation(spec, vaultRoot);
        // Configured vaults take part in the checks even before the control worker registers them.
        const configured = deps.config.vaults;
        if (configured.some((v) => v.name === spec.name))
          throw conflict(`vault ${JSON.stringify(spec.name)} is preconfigured`);
        const overlap = locationConflict(
          location,
          configured.map((v) => ({ name: v.name, location: vaultLocation(v, vaultRoot) })),
        );
        if (overlap) throw prefixConflict(overlap);

        try {
          const entry = await registerVault(deps.client, { spec, location });
          res.status(201).location(`/v1/vaults/${entry.name}`).json(toVault(entry.spec, NOT_VALIDATED));
        } catch (err) {
          const refusal = registryRefusal(err);
          if (refusal?.type === ErrorCode.NameAlreadyUsed) throw conflict(refusal.message);
          if (refusal?.type === ErrorCode.VaultPrefixConflict) throw prefixConflict(refusal.message);
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/v1/vaults',
      operationId: 'listVaults',
      summary: 'List backup vaults',
      tag,
      role: 'viewer',
      responses: { 200: { description: 'The vaults.', schema: VaultListSchema } },
      handler: async ({ res }) => {
        const vaults = await deps.vaults.list();
        const items = await mapLimit(vaults, 8, async (v) => toVault(v, await vaultStatus(deps.client, v.name)));
        res.json({ items });
      },
    }),
    route({
      method: 'get',
      path: '/v1/vaults/{name}',
      operationId: 'getVault',
      summary: 'Get a backup vault',
      tag,
      role: 'viewer',
      request: { params: NameParamsSchema },
      responses: { 200: { description: 'The vault.', schema: VaultSchema }, 404: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        const spec = await deps.vaults.get(name);
        if (!spec) throw notFound('vault', name);
        res.json(toVault(spec, await vaultStatus(deps.client, name)));
      },
    }),
    route({
      method: 'delete',
      path: '/v1/vaults/{name}',
      operationId: 'deleteVault',
      summary: 'Delete a backup vault (its name is never reused)',
      tag,
      role: 'admin',
      request: { params: NameParamsSchema },
      // 409: a preconfigured vault is removed from the configuration, not here.
      responses: { 202: { description: 'Deletion accepted.', schema: VaultSchema }, 404: PROBLEM, 409: PROBLEM },
      handler: async ({ params: { name }, res }) => {
        if (deps.config.vaults.some((v) => v.name === name)) {
          throw conflict(`vault ${JSON.stringify(name)} is preconfigured; remove it from the configuration instead`);
        }
        const status = await vaultStatus(deps.client, name);
        try {
          const entry = await deleteVault(deps.client, name);
          res.status(202).json(toVault(entry.spec, status));
        } catch (err) {
          const refusal = registryRefusal(err);
          if (refusal?.type === ErrorCode.VaultNotFound) throw notFound('vault', name);
          if (refusal?.type === ErrorCode.VaultConfigured) throw conflict(refusal.message);
          throw err;
        }
      },
    }),
  ];
}

/**
 * The checks of a new vault against the configuration, each naming its field: a filesystem `path`
 * must be a directory inside vaultRoot or one of allowedVaultRoots, not reached through a symbolic
 * link that leads out of it; an `endpoint` must not be a link-local or metadata address unless
 * allowedVaultEndpoints lists its host. (A non-empty directory that is not a vault is refused by
 * the vault's claim, initVault: the vault turns Unavailable naming the foreign entries.)
 */
export async function vaultConfigErrors(
  config: Pick<Config, 'vaultRoot' | 'allowedVaultRoots' | 'allowedVaultEndpoints'>,
  body: unknown,
  schemaErrors: readonly FieldError[],
): Promise<FieldError[]> {
  if (!isRecord(body)) return [];
  const errors: FieldError[] = [];
  const bad = (path: string) => schemaErrors.some((e) => e.path === path);
  if (body.backend === 'filesystem' && typeof body.path === 'string' && !bad('path')) {
    const dir = vaultDirectory({ path: body.path }, config.vaultRoot);
    const roots = [config.vaultRoot, ...config.allowedVaultRoots];
    const problem = rootConfinement(dir, roots) ?? (await symlinkEscape(dir, roots));
    if (problem !== undefined) errors.push({ path: 'path', message: problem });
  }
  if (typeof body.endpoint === 'string' && !bad('endpoint')) {
    const problem = endpointRefusal(body.endpoint, config.allowedVaultEndpoints);
    if (problem !== undefined) errors.push({ path: 'endpoint', message: problem });
  }
  return errors;
}

function prefixConflict(message: string): HttpProblem {
  return new HttpProblem({ status: 409, code: 'VaultPrefixConflict', detail: message });
}

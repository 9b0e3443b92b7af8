// /v1/vaults: backup vaults (the backup center's BackupLocation). Creating registers the vault with
// the registry workflow `vaults`, which refuses a used or deleted name and a prefix that is the
// parent or child of a live vault's in the same bucket, and starts its workflow `vault/<name>`
// (validation now and every 5 minutes). A vault is immutable (the FAQ's "Can I modify the backup
// vault?"): PUT and PATCH are 405. Deleting keeps the name retired forever; the backups stay in
// the storage. Vaults from the configuration are listed too and cannot be deleted here.

import { resolve } from 'node:path';
import { Router } from 'express';
import {
  deleteVault,
  registerVault,
  registryRefusal,
  vaultEntries,
  vaultStatus,
} from '../../clients/vault-registry.js';
import { locationConflict, vaultLocation } from '../../domain/vault-location.js';
import { ErrorCode } from '../../domain/errors.js';
import { type VaultStatus, VaultCreateSchema, type Vault, type VaultCreate } from '../../domain/vault.js';
import type { ApiDeps } from '../deps.js';
import { conflict, HttpProblem, notFound } from '../problem.js';
import { NameParamsSchema } from '../schemas.js';
import { mapLimit } from '../tasks.js';
import { validateBody, validateParams } from '../validate.js';

/** The FAQ's answer to "Can I modify the backup vault?". */
export const VAULT_IMMUTABLE =
  'A backup vault cannot be modified: delete it and create a vault with another name (the name of a deleted vault cannot be reused)';

class MethodNotAllowed extends HttpProblem {
  constructor(detail: string, allow: string) {
    super({ status: 405, code: 'MethodNotAllowed', detail, headers: { Allow: allow } });
  }

  override get title(): string {
    return 'Method Not Allowed';
  }
}

const NOT_VALIDATED: VaultStatus = { phase: 'InProgress', lastValidated: null, message: null };

function toVault(spec: VaultCreate, status: VaultStatus | undefined): Vault {
  const { name, ...rest } = spec;
  return { name, spec: rest, status: status ?? NOT_VALIDATED };
}

/** Every live vault: configured ones first by name, then those created through the API. */
async function liveVaults(deps: ApiDeps): Promise<VaultCreate[]> {
  const configured = deps.config.vaults;
  const names = new Set(configured.map((v) => v.name));
  const registered = (await vaultEntries(deps.client))
    .filter((e) => e.state === 'live' && !names.has(e.name))
    .map((e) => e.spec);
  return [...configured, ...registered].sort((a, b) => a.name.localeCompare(b.name));
}

export function vaultsRouter(deps: ApiDeps): Router {
  const router = Router();
  const vaultRoot = resolve(deps.config.vaultRoot);

  router.post('/v1/vaults', validateBody(VaultCreateSchema), async (req, res) => {
    const spec = req.body as VaultCreate;
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
  });

  router.get('/v1/vaults', async (_req, res) => {
    const vaults = await liveVaults(deps);
    const items = await mapLimit(vaults, 8, async (v) => toVault(v, await vaultStatus(deps.client, v.name)));
    res.json({ items });
  });

  router.get('/v1/vaults/:name', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
    const spec = (await liveVaults(deps)).find((v) => v.name === name);
    if (!spec) throw notFound('vault', name);
    res.json(toVault(spec, await vaultStatus(deps.client, name)));
  });

  router.delete('/v1/vaults/:name', validateParams(NameParamsSchema), async (_req, res) => {
    const { name } = res.locals.params as { name: string };
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
  });

  const immutable = (allow: string) => () => {
    throw new MethodNotAllowed(VAULT_IMMUTABLE, allow);
  };
  router.put('/v1/vaults', immutable('GET, POST'));
  router.patch('/v1/vaults', immutable('GET, POST'));
  router.put('/v1/vaults/:name', immutable('GET, DELETE'));
  router.patch('/v1/vaults/:name', immutable('GET, DELETE'));

  return router;
}

function prefixConflict(message: string): HttpProblem {
  return new HttpProblem({ status: 409, code: 'VaultPrefixConflict', detail: message });
}

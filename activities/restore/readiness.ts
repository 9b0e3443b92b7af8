import type { VaultCreate } from '../../domain/vault.js';
import type { KubeObject } from '../../resources/types.js';
import { resourcePath, type KubeClient } from '../kube/client.js';

/** An object the restore created that must become ready again (plain data: it crosses to the workflow). */
export interface ReadinessCheck {
  kind: 'PersistentVolumeClaim' | 'Pod';
  path: string;
  describe: string;
  /**
   * Where the restore's log is, so the readiness wait can add its result to it. Set on the first
   * check only (the checks pass through the workflow's history as they are).
   */
  logTo?: { restore: string; vault: VaultCreate };
}

/**
 * What to wait for after creating an object: a PVC that was Bound in the backup must bind again,
 * a pod that was Running must run again. What was not ready at backup time is not waited for.
 */
export function readinessOf(
  gr: string,
  backedUp: KubeObject,
  group: string,
  version: string,
  resource: string,
  namespace: string | undefined,
  name: string,
): ReadinessCheck | undefined {
  const phase = (backedUp.status as { phase?: string } | undefined)?.phase;
  const path = resourcePath(group, version, resource, namespace, name);
  if (gr === 'persistentvolumeclaims' && phase === 'Bound') {
    return { kind: 'PersistentVolumeClaim', path, describe: `PersistentVolumeClaim ${namespace}/${name} is not Bound` };
  }
  if (gr === 'pods' && phase === 'Running') {
    return { kind: 'Pod', path, describe: `Pod ${namespace}/${name} is not Ready` };
  }
  return undefined;
}

export async function isReady(kube: KubeClient, check: ReadinessCheck): Promise<boolean> {
  const obj = await kube.get<{ status?: { phase?: string; conditions?: Array<{ type: string; status: string }> } }>(
    check.path,
  );
  if (check.kind === 'PersistentVolumeClaim') return obj.status?.phase === 'Bound';
  return obj.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ToolPaths {
  temporal: string;
  kine: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

const script = fileURLToPath(new URL('../scripts/tools.sh', import.meta.url));

/**
 * Paths of the real servers, building any that are missing (scripts/tools.sh caches them outside
 * the repository). BC_*_BIN variables, set by the test and start scripts, skip the shell-out.
 */
export function toolPaths(): ToolPaths {
  const env = process.env;
  if (env.BC_TEMPORAL_BIN && env.BC_KINE_BIN && env.BC_KUBE_APISERVER_BIN && env.BC_KUBE_CONTROLLER_MANAGER_BIN) {
    return {
      temporal: env.BC_TEMPORAL_BIN,
      kine: env.BC_KINE_BIN,
      kubeApiserver: env.BC_KUBE_APISERVER_BIN,
      kubeControllerManager: env.BC_KUBE_CONTROLLER_MANAGER_BIN,
    };
  }
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const paths = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=', 2) as [string, string]),
  );
  const get = (k: string) => {
    const v = paths[k];
    if (!v) throw new Error(`scripts/tools.sh did not report ${k}`);
    return v;
  };
  return {
    temporal: get('temporal'),
    kine: get('kine'),
    kubeApiserver: get('kube-apiserver'),
    kubeControllerManager: get('kube-controller-manager'),
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startControlPlane, type LocalControlPlane } from '../../servers/kube.js';
import { startTemporal, type LocalTemporal } from '../../servers/temporal.js';
import { toolPaths } from '../../servers/tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: { address: string; namespace: string; uiUrl: string };
    clusters: Record<string, { kubeconfigPath: string; server: string; token: string }>;
    workDir: string;
  }
}

// One Temporal dev server and two control planes (a source and a target cluster) for the whole
// integration run: each costs seconds to start, and tests isolate themselves by names.
export default async function setup(project: TestProject) {
  const tools = toolPaths();
  const workDir = mkdtempSync(join(tmpdir(), 'bc-it-'));
  const started: Array<LocalTemporal | LocalControlPlane> = [];
  const teardown = async () => {
    await Promise.allSettled(started.map((s) => s.stop()));
    if (!process.env.BC_KEEP_TEST_DIR) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [temporal, a, b] = await Promise.all([
      startTemporal({ bin: tools.temporal, dir: join(workDir, 'temporal'), headless: true }),
      startControlPlane({ name: 'a', dir: join(workDir, 'cluster-a'), bins: tools }),
      startControlPlane({ name: 'b', dir: join(workDir, 'cluster-b'), bins: tools }),
    ]);
    started.push(temporal, a, b);
    project.provide('temporal', { address: temporal.address, namespace: temporal.namespace, uiUrl: temporal.uiUrl });
    project.provide('clusters', {
      a: { kubeconfigPath: a.kubeconfigPath, server: a.server, token: a.token },
      b: { kubeconfigPath: b.kubeconfigPath, server: b.server, token: b.token },
    });
    project.provide('workDir', workDir);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}

// `npm start`: the whole system on the embedded default. A Temporal dev server (with its Web UI),
// a local Kubernetes control plane named `local`, the control worker, the `local` cluster agent
// and the REST API, all on this machine; state under .run/ survives restarts.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { hashToken } from '../api/auth.js';
import { configFromObject } from '../config/load.js';
import { freePort } from '../servers/process.js';
import { startControlPlane } from '../servers/kube.js';
import { startTemporal } from '../servers/temporal.js';
import { toolPaths } from '../servers/tools.js';
import { run } from '../workers/main.js';

const runDir = resolve(process.env.BC_RUN_DIR ?? '.run');
mkdirSync(runDir, { recursive: true });

/** The well-known port when it is free, else any free one. */
async function portOr(preferred: number): Promise<number> {
  const free = await new Promise<boolean>((ok) => {
    const s = createServer().once('error', () => ok(false));
    s.listen(preferred, '127.0.0.1', () => s.close(() => ok(true)));
  });
  return free ? preferred : freePort();
}

const step = (msg: string) => process.stdout.write(`[start] ${msg}\n`);
const tools = toolPaths();
step('starting the Temporal dev server and the local Kubernetes control plane');
const [temporal, cluster] = await Promise.all([
  startTemporal({
    bin: tools.temporal,
    dir: resolve(runDir, 'temporal'),
    port: await portOr(7233),
    uiPort: await portOr(8233),
  }),
  startControlPlane({ name: 'local', dir: resolve(runDir, 'cluster-local'), bins: tools }),
]);

const token = process.env.BC_ADMIN_TOKEN ?? randomBytes(18).toString('base64url');
const config = configFromObject({
  temporal: { address: temporal.address, namespace: temporal.namespace, uiUrl: temporal.uiUrl },
  api: { host: '127.0.0.1', port: await portOr(8080) },
  vaultRoot: resolve(runDir, 'vaults'),
  clusters: [{ name: 'local', kubeconfig: cluster.kubeconfigPath }],
  vaults: [{ name: 'default', backend: 'filesystem', path: resolve(runDir, 'vaults', 'default') }],
  tokens: [{ name: 'admin', sha256: hashToken(token), role: 'admin' }],
  logLevel: process.env.BC_LOG_LEVEL ?? 'info',
});
step('starting the control worker, the local cluster agent and the REST API');
const running = await run('all', config);

process.stdout.write(`
Backup Center is running.
  REST API          ${running.apiUrl}   (OpenAPI: ${running.apiUrl}/openapi.json)
  admin token       ${token}
  Temporal Web UI   ${temporal.uiUrl}
  Temporal server   ${temporal.address}
  Kubernetes API    ${cluster.server}   (kubeconfig: ${cluster.kubeconfigPath})
  vault "default"   ${resolve(runDir, 'vaults', 'default')}

Try:
  curl -s -H 'Authorization: Bearer ${token}' ${running.apiUrl}/v1/clusters
  curl -s -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\
    -d '{"name":"first","cluster":"local","vault":"default","includedNamespaces":["default"]}' ${running.apiUrl}/v1/backups
Ctrl-C stops everything.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    step('stopping');
    void (async () => {
      try {
        await running.stop();
      } finally {
        await Promise.allSettled([cluster.stop(), temporal.stop()]);
        process.exit(0);
      }
    })();
  });
}

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, type Managed } from './process.js';

export interface LocalControlPlane {
  name: string;
  server: string;
  token: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export interface ControlPlaneBins {
  kine: string;
  kubeApiserver: string;
  kubeControllerManager: string;
}

/**
 * A real Kubernetes control plane on loopback: kine (etcd API over SQLite), kube-apiserver
 * (self-signed serving certs, token auth, RBAC, service-account keys) and kube-controller-manager
 * (namespace deletion, garbage collection, Deployments -> ReplicaSets, PV binding). No scheduler
 * and no kubelet, so pods stay Pending: enough for backing up and restoring resources.
 */
export async function startControlPlane(opts: {
  name: string;
  dir: string;
  bins: ControlPlaneBins;
}): Promise<LocalControlPlane> {
  const { name, dir, bins } = opts;
  mkdirSync(join(dir, 'certs'), { recursive: true });
  const procs: Managed[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
  };
  try {
    const kinePort = await freePort();
    procs.push(
      startProcess(
        `kine(${name})`,
        bins.kine,
        [
          '--listen-address',
          `127.0.0.1:${kinePort}`,
          '--metrics-bind-address',
          '0',
          '--endpoint',
          `sqlite://${join(dir, 'kine.db')}?_journal=WAL&cache=shared&_busy_timeout=30000`,
        ],
        join(dir, 'kine.log'),
      ),
    );

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const saKey = join(dir, 'sa.key');
    writeFileSync(saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });

    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    procs.push(
      startProcess(
        `kube-apiserver(${name})`,
        bins.kubeApiserver,
        [
          `--etcd-servers=http://127.0.0.1:${kinePort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${port}`,
          `--cert-dir=${join(dir, 'certs')}`,
          '--service-cluster-ip-range=10.96.0.0/16',
          '--service-node-port-range=30000-32767',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${saKey}`,
          `--service-account-signing-key-file=${saKey}`,
          '--authorization-mode=RBAC',
          `--token-auth-file=${tokenFile}`,
          '--allow-privileged=true',
          '--enable-priority-and-fairness=false',
          '--disable-admission-plugins=ServiceAccount',
          '--endpoint-reconciler-type=none',
        ],
        join(dir, 'kube-apiserver.log'),
      ),
    );
    const agent = new Agent({ rejectUnauthorized: false });
    await waitFor(`kube-apiserver(${name}) /readyz`, () => httpsOk(`${server}/readyz`, token, agent), {
      timeoutMs: 120_000,
      managed: procs,
    });

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(name, server, token), { mode: 0o600 });
    procs.push(
      startProcess(
        `kube-controller-manager(${name})`,
        bins.kubeControllerManager,
        [
          `--kubeconfig=${kubeconfigPath}`,
          `--authentication-kubeconfig=${kubeconfigPath}`,
          `--authorization-kubeconfig=${kubeconfigPath}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--secure-port=0',
          `--service-account-private-key-file=${saKey}`,
          '--use-service-account-credentials=false',
          '--controllers=*,-nodeipam,-nodelifecycle,-cloud-node-lifecycle,-service-lb-controller,-route,-node-route-controller',
        ],
        join(dir, 'kube-controller-manager.log'),
      ),
    );
    return { name, server, token, kubeconfigPath, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function httpsOk(url: string, token: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A kubeconfig for the admin token. The serving cert is self-signed by the apiserver, hence skip-verify. */
export function kubeconfig(name: string, server: string, token: string): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: `${name}-admin`, user: { token } }],
      contexts: [{ name, context: { cluster: name, user: `${name}-admin` } }],
      'current-context': name,
    },
    null,
    2,
  );
}

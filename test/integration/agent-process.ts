// A cluster agent in a process of its own, so a test can SIGKILL it mid-task.
// Env: BC_TEMPORAL_ADDRESS, BC_TEMPORAL_NAMESPACE, BC_CLUSTER, BC_KUBECONFIG.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { KubeClient } from '../../activities/kube/client.js';
import { createLogger } from '../../lib/logger.js';
import { createClusterAgent } from '../../workers/cluster-agent.js';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};
Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: env('BC_TEMPORAL_ADDRESS') });
const worker = await createClusterAgent({
  connection,
  namespace: env('BC_TEMPORAL_NAMESPACE'),
  cluster: env('BC_CLUSTER'),
  kube: await KubeClient.fromFile(env('BC_KUBECONFIG')),
  logger: createLogger('agent'),
});
process.stdout.write('agent ready\n');
await worker.run();
await connection.close();

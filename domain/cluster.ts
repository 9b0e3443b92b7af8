// A cluster the backup center serves through its agent (task queue `cluster-<name>`).

import { z } from 'zod';
import { NameSchema } from './values.js';

export const ClusterStatusSchema = z
  .object({
    agentConnected: z.boolean().meta({ description: 'A cluster agent polls task queue cluster-<name>.' }),
    kubernetesVersion: z.string().nullable(),
    nodes: z.number().int().nonnegative().nullable(),
    zones: z.array(z.string()),
  })
  .meta({ id: 'ClusterStatus' });
export const ClusterSchema = z.object({ name: NameSchema, status: ClusterStatusSchema }).meta({ id: 'Cluster' });

export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;
export type Cluster = z.infer<typeof ClusterSchema>;

// Realistic objects as `kubectl get -o json` shows them in a source cluster, for the unit tests.
// Each is a function so every test gets a fresh copy.

import type { KubeObject } from '../../resources/types.js';

export const DEPLOY_UID = '6f1c1b8e-1111-4c1e-9d7e-000000000001';
export const RS_UID = '6f1c1b8e-2222-4c1e-9d7e-000000000002';
export const STS_UID = '6f1c1b8e-3333-4c1e-9d7e-000000000003';
export const PVC_UID = '6f1c1b8e-4444-4c1e-9d7e-000000000004';
export const JOB_UID = '6f1c1b8e-5555-4c1e-9d7e-000000000005';
export const DISK = 'diskplugin.csi.alibabacloud.com';

export const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: DEPLOY_UID,
    resourceVersion: '884213',
    generation: 3,
    creationTimestamp: '2024-03-01T08:00:00Z',
    labels: { app: 'web' },
    annotations: { 'deployment.kubernetes.io/revision': '3' },
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: {},
      },
    ],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        priorityClassName: 'high',
        initContainers: [{ name: 'init-config', image: 'busybox:1.36' }],
        containers: [
          { name: 'web', image: 'app1:v1', ports: [{ containerPort: 8080 }] },
          { name: 'sidecar', image: 'docker.io/library/nginx' },
          { name: 'metrics', image: 'quay.io/prometheus/node-exporter:v1.7.0' },
        ],
      },
    },
  },
  status: { replicas: 2, readyReplicas: 2, observedGeneration: 3 },
});

export const replicaSet = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'web-5d8f9c7b6d',
    namespace: 'shop',
    uid: RS_UID,
    labels: { app: 'web', 'pod-template-hash': '5d8f9c7b6d' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: DEPLOY_UID, controller: true }],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f9c7b6d' } },
    template: { spec: { containers: [] } },
  },
});

export const ownedPod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-5d8f9c7b6d-x7k2p',
    namespace: 'shop',
    uid: '6f1c1b8e-6666-4c1e-9d7e-000000000006',
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f9c7b6d', uid: RS_UID, controller: true },
    ],
  },
  spec: { nodeName: 'cn-beijing.192.168.0.10', containers: [{ name: 'web', image: 'app1:v1' }] },
  status: { phase: 'Running' },
});

export const barePod = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'debug', namespace: 'shop', uid: '6f1c1b8e-7777-4c1e-9d7e-000000000007' },
  spec: {
    nodeName: 'cn-beijing.192.168.0.11',
    priority: 1000,
    priorityClassName: 'high',
    preemptionPolicy: 'PreemptLowerPriority',
    serviceAccountName: 'default',
    containers: [
      {
        name: 'shell',
        image: 'busybox',
        volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' },
          { name: 'kube-api-access-9xq4z', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ],
      },
    ],
    ephemeralContainers: [{ name: 'debugger-abc', image: 'busybox', targetContainerName: 'shell' }],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      {
        name: 'kube-api-access-9xq4z',
        projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] },
      },
    ],
  },
  status: { phase: 'Running', podIP: '10.0.0.12' },
});

export const statefulSet = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'mysql', namespace: 'shop', uid: STS_UID, labels: { app: 'mysql' } },
  spec: {
    serviceName: 'mysql',
    replicas: 1,
    selector: { matchLabels: { app: 'mysql' } },
    template: { metadata: { labels: { app: 'mysql' } }, spec: { containers: [{ name: 'mysql', image: 'mysql:8.0' }] } },
    volumeClaimTemplates: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: 'alicloud-disk-essd',
          resources: { requests: { storage: '10Gi' } },
        },
      },
    ],
  },
  status: { replicas: 1 },
});

/** A 10 GiB disk claim of the StatefulSet, bound to a Delete-policy disk PV. */
export const diskPvc = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: {
    name: 'data-mysql-0',
    namespace: 'shop',
    uid: PVC_UID,
    labels: { app: 'mysql' },
    annotations: {
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.beta.kubernetes.io/storage-provisioner': DISK,
      'volume.kubernetes.io/storage-provisioner': DISK,
      'volume.kubernetes.io/selected-node': 'cn-beijing.192.168.0.10',
    },
    finalizers: ['kubernetes.io/pvc-protection'],
  },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '10Gi' } },
    storageClassName: 'alicloud-disk-essd',
    volumeMode: 'Filesystem',
    volumeName: 'd-2ze53mvwvrt4o3xxxxxx',
  },
  status: { phase: 'Bound', capacity: { storage: '10Gi' } },
});

export const diskPv = (reclaim: 'Delete' | 'Retain' = 'Delete'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: {
    name: 'd-2ze53mvwvrt4o3xxxxxx',
    uid: '6f1c1b8e-8888-4c1e-9d7e-000000000008',
    annotations: { 'pv.kubernetes.io/provisioned-by': DISK },
    finalizers: ['kubernetes.io/pv-protection'],
  },
  spec: {
    accessModes: ['ReadWriteOnce'],
    capacity: { storage: '10Gi' },
    claimRef: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      name: 'data-mysql-0',
      namespace: 'shop',
      uid: PVC_UID,
      resourceVersion: '884100',
    },
    csi: { driver: DISK, fsType: 'ext4', volumeHandle: 'd-2ze53mvwvrt4o3xxxxxx' },
    persistentVolumeReclaimPolicy: reclaim,
    storageClassName: 'alicloud-disk-essd',
    volumeMode: 'Filesystem',
  },
  status: { phase: 'Bound' },
});

/** An OSS volume with reclaim policy Retain (the FAQ's `pvc-oss`). */
export const ossPv = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: {
    name: 'oss-e5923d5a-10c1-4f5e-9d7e-7fdf82aaaaaa',
    annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' },
  },
  spec: {
    accessModes: ['ReadWriteMany'],
    capacity: { storage: '5Gi' },
    claimRef: { kind: 'PersistentVolumeClaim', name: 'pvc-oss', namespace: 'shop', uid: 'aaaa', resourceVersion: '1' },
    csi: { driver: 'ossplugin.csi.alibabacloud.com', volumeHandle: 'oss-e5923d5a' },
    persistentVolumeReclaimPolicy: 'Retain',
    storageClassName: '',
  },
});

export const service = (type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName' | 'Headless'): KubeObject => {
  const base: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `web-${type.toLowerCase()}`, namespace: 'shop', uid: `svc-${type}` },
    spec: {},
  };
  switch (type) {
    case 'ClusterIP':
      base.spec = {
        type: 'ClusterIP',
        clusterIP: '172.16.12.34',
        clusterIPs: ['172.16.12.34'],
        ipFamilies: ['IPv4'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
        selector: { app: 'web' },
      };
      break;
    case 'Headless':
      base.spec = {
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [{ port: 3306, protocol: 'TCP' }],
        selector: { app: 'mysql' },
      };
      break;
    case 'NodePort':
      base.spec = {
        type: 'NodePort',
        clusterIP: '172.16.12.35',
        clusterIPs: ['172.16.12.35'],
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }],
        selector: { app: 'web' },
      };
      break;
    case 'LoadBalancer':
      base.metadata.annotations = { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-id': 'lb-2zeabcdef' };
      base.spec = {
        type: 'LoadBalancer',
        clusterIP: '172.16.12.36',
        clusterIPs: ['172.16.12.36'],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32456,
        ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 31080 }],
        selector: { app: 'web' },
      };
      base.status = { loadBalancer: { ingress: [{ ip: '47.93.1.2' }] } };
      break;
    case 'ExternalName':
      base.spec = { type: 'ExternalName', externalName: 'db.example.com' };
      break;
  }
  return base;
};

export const job = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: 'migrate',
    namespace: 'shop',
    uid: JOB_UID,
    labels: {
      'batch.kubernetes.io/controller-uid': JOB_UID,
      'batch.kubernetes.io/job-name': 'migrate',
      'controller-uid': JOB_UID,
      'job-name': 'migrate',
    },
  },
  spec: {
    backoffLimit: 3,
    completions: 1,
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': JOB_UID } },
    template: {
      metadata: {
        labels: {
          'batch.kubernetes.io/controller-uid': JOB_UID,
          'batch.kubernetes.io/job-name': 'migrate',
          'controller-uid': JOB_UID,
          'job-name': 'migrate',
        },
      },
      spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'app1:v1', args: ['migrate'] }] },
    },
  },
  status: { active: 1, startTime: '2024-03-01T08:00:00Z' },
});

export const cronJob = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report', namespace: 'shop', uid: 'cron-1' },
  spec: {
    schedule: '0 3 * * *',
    jobTemplate: {
      spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'app1:v1' }] } } },
    },
  },
});

export const roleBinding = (): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'shop-view', namespace: 'shop', uid: 'rb-1' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  subjects: [
    { kind: 'ServiceAccount', name: 'web', namespace: 'shop' },
    { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
  ],
});

export const namespace = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', uid: 'ns-1', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'retail' } },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../api/auth.js';
import {
  CONFIG_PATH_ENV,
  ConfigError,
  ENV_OVERRIDES,
  applyEnvOverrides,
  configFromObject,
  loadConfig,
  parseConfig,
} from './load.js';
import { ConfigSchema } from './schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const example = readFileSync(join(here, 'example.yaml'), 'utf8');

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('an empty file (or none) gives the documented defaults', () => {
    const config = parseConfig('', { baseDir: '/etc/bc' });
    expect(config).toEqual({
      temporal: { address: 'localhost:7233', namespace: 'default', uiUrl: 'http://localhost:8233' },
      api: { port: 8080, host: '0.0.0.0' },
      subtaskTimeoutMinutes: 60,
      resourceReadyTimeoutMinutes: 10,
      concurrency: { backup: 5, restore: 5, delete: 5, schedule: 5, convert: 5 },
      ownNamespace: 'backup-center',
      vaultRoot: '/etc/bc/.run/vaults',
      keysDir: '/etc/bc/.run/keys',
      allowedVaultRoots: [],
      allowedVaultEndpoints: [],
      clusters: [],
      vaults: [],
      tokens: [],
      diskProvisioners: ['diskplugin.csi.alibabacloud.com'],
      minDiskSizeGiB: 20,
      heartbeatTimeoutSeconds: 15,
      agentGraceSeconds: 60,
      stagingMaxAgeMinutes: 60,
      logLevel: 'info',
    });
    expect(loadConfig({ env: {}, cwd: '/srv' }).vaultRoot).toBe('/srv/.run/vaults');
  });

  it('partial sections keep their other defaults', () => {
    const config = parseConfig('concurrency:\n  backup: 2\ntemporal:\n  namespace: prod\n');
    expect(config.concurrency).toEqual({ backup: 2, restore: 5, delete: 5, schedule: 5, convert: 5 });
    expect(config.temporal).toEqual({ address: 'localhost:7233', namespace: 'prod', uiUrl: 'http://localhost:8233' });
  });
});

describe('example.yaml', () => {
  it('is valid and resolves its paths', () => {
    const config = parseConfig(example, { baseDir: '/etc/bc', env: { HOME: '/home/me' } });
    expect(config.clusters).toEqual([{ name: 'dev', kubeconfig: '/home/me/.kube/config', context: 'kind-dev' }]);
    expect(config.vaults).toEqual([{ name: 'local', backend: 'filesystem', path: 'local' }]);
    expect(config.tokens).toEqual([{ name: 'example-admin', sha256: hashToken('change-me'), role: 'admin' }]);
    expect(config.vaultRoot).toBe('/etc/bc/.run/vaults');
  });

  it('documents every environment override and every top-level key', () => {
    for (const o of ENV_OVERRIDES) {
      expect(example, o.env).toContain(`${o.env} `);
      expect(example, o.env).toMatch(new RegExp(`${o.env}\\s+${o.path.join('\\.')}`));
    }
    for (const key of Object.keys(ConfigSchema.shape)) expect(example).toMatch(new RegExp(`^${key}:`, 'm'));
  });
});

describe('environment overrides', () => {
  it('override the file, with types', () => {
    const config = parseConfig('api:\n  port: 9000\n', {
      env: {
        BC_TEMPORAL_ADDRESS: 'temporal.internal:7233',
        BC_TEMPORAL_NAMESPACE: 'backup',
        BC_TEMPORAL_UI_URL: 'https://temporal.example.com',
        BC_API_PORT: '8081',
        BC_API_HOST: '127.0.0.1',
        BC_SUBTASK_TIMEOUT_MINUTES: '100',
        BC_RESOURCE_READY_TIMEOUT_MINUTES: '3',
        BC_CONCURRENCY_BACKUP: '1',
        BC_CONCURRENCY_RESTORE: '2',
        BC_CONCURRENCY_DELETE: '3',
        BC_CONCURRENCY_SCHEDULE: '4',
        BC_CONCURRENCY_CONVERT: '6',
        BC_OWN_NAMESPACE: 'csdr',
        BC_VAULT_ROOT: '/data/vaults',
        BC_DISK_PROVISIONERS: 'a.csi, b.csi,',
        BC_MIN_DISK_SIZE_GIB: '40',
        BC_HEARTBEAT_TIMEOUT_SECONDS: '9',
        BC_AGENT_GRACE_SECONDS: '30',
        BC_STAGING_MAX_AGE_MINUTES: '120',
        BC_LOG_LEVEL: 'debug',
      },
    });
    expect(config).toMatchObject({
      temporal: { address: 'temporal.internal:7233', namespace: 'backup', uiUrl: 'https://temporal.example.com' },
      api: { port: 8081, host: '127.0.0.1' },
      subtaskTimeoutMinutes: 100,
      resourceReadyTimeoutMinutes: 3,
      concurrency: { backup: 1, restore: 2, delete: 3, schedule: 4, convert: 6 },
      ownNamespace: 'csdr',
      vaultRoot: '/data/vaults',
      diskProvisioners: ['a.csi', 'b.csi'],
      minDiskSizeGiB: 40,
      heartbeatTimeoutSeconds: 9,
      agentGraceSeconds: 30,
      stagingMaxAgeMinutes: 120,
      logLevel: 'debug',
    });
  });

  it('ignore empty values and do not mutate the input', () => {
    const raw = { api: { port: 1234 } };
    const { value, origins } = applyEnvOverrides(raw, { BC_API_PORT: '', BC_LOG_LEVEL: 'warn' });
    expect(value).toEqual({ api: { port: 1234 }, logLevel: 'warn' });
    expect(raw).toEqual({ api: { port: 1234 } });
    expect([...origins]).toEqual([['logLevel', 'BC_LOG_LEVEL']]);
  });

  it('bad values name the key and the variable', () => {
    const err = errorOf(() => configFromObject({}, { env: { BC_API_PORT: 'eighty', BC_CONCURRENCY_BACKUP: '0' } }));
    expect(err.message).toBe(
      [
        'config: api.port (from BC_API_PORT): expected a port number (0-65535)',
        'config: concurrency.backup (from BC_CONCURRENCY_BACKUP): expected a positive integer',
      ].join('\n'),
    );
  });
});

describe('invalid configuration', () => {
  it.each([
    ['concurrency:\n  backup: 0\n', 'config: concurrency.backup: expected a positive integer'],
    ['concurrency:\n  backup: 2.5\n', 'config: concurrency.backup: expected a positive integer'],
    ['concurrency:\n  backup: "5"\n', 'config: concurrency.backup: expected a positive integer'],
    ['subtaskTimeoutMinutes: -1\n', 'config: subtaskTimeoutMinutes: expected a positive integer'],
    ['api:\n  port: 70000\n', 'config: api.port: expected a port number (0-65535)'],
    ['temporal:\n  address: localhost\n', 'config: temporal.address: expected host:port'],
    ['temporal:\n  uiUrl: ftp://x\n', 'config: temporal.uiUrl: expected an http(s) URL or null'],
    ['velero_timeout_minutes: 100\n', 'config: velero_timeout_minutes: unknown field'],
    ['logLevel: loud\n', 'config: logLevel: expected one of fatal, error, warn, info, debug, trace, silent'],
    ['ownNamespace: Backup_Center\n', 'config: ownNamespace: must be a DNS-1123 label'],
    ['clusters:\n  - name: a\n  - name: a\n', 'config: clusters.1.name: duplicate cluster name "a"'],
    [
      'clusters:\n  - name: a\n    inCluster: true\n    kubeconfig: x\n',
      'config: clusters.0.inCluster: cannot be combined with kubeconfig or context',
    ],
    ['clusters: {}\n', 'config: clusters: expected a list of clusters'],
    [
      'vaults:\n  - name: v\n    backend: oss\n',
      'config: vaults.0.bucket: is required for the oss backend\nconfig: vaults.0.region: is required for the oss backend',
    ],
    [
      'tokens:\n  - name: t\n    sha256: abc\n    role: admin\n',
      'config: tokens.0.sha256: expected a SHA-256 hex digest (64 hex characters',
    ],
    [
      'tokens:\n  - name: t\n    sha256: ' + 'a'.repeat(64) + '\n    role: root\n',
      'config: tokens.0.role: expected one of viewer, operator, admin',
    ],
    [
      `tokens:\n  - {name: a, sha256: ${'A'.repeat(64)}, role: admin}\n  - {name: b, sha256: ${'a'.repeat(64)}, role: viewer}\n`,
      'config: tokens.1.sha256: duplicate token hash',
    ],
    ['- a\n- b\n', 'config: (root): expected a mapping of keys'],
    ['api: [\n', 'config: (file): YAML: invalid YAML at line'],
    ['a: 1\na: 2\n', 'config: (file): YAML: invalid YAML'],
  ])('%j -> %s', (text, message) => {
    const err = errorOf(() => parseConfig(text));
    expect(err.message).toContain(message);
    expect(err.message.split('\n').every((l) => l.startsWith('config: '))).toBe(true);
  });

  it('lists every bad key at once', () => {
    const err = errorOf(() => parseConfig('concurrency:\n  backup: 0\n  restore: x\napi:\n  port: -1\nextra: 1\n'));
    expect(err.issues.map((i) => i.path)).toEqual(['api.port', 'concurrency.backup', 'concurrency.restore', 'extra']);
  });
});

describe('loadConfig', () => {
  it('reads the file named by BACKUP_CENTER_CONFIG and resolves paths against its directory', () => {
    const files: Record<string, string> = {
      '/etc/bc/config.yaml': 'vaultRoot: vaults\nclusters:\n  - name: a\n    kubeconfig: kube/a.yaml\n',
    };
    const config = loadConfig({
      env: { [CONFIG_PATH_ENV]: 'config.yaml', BC_LOG_LEVEL: 'warn' },
      cwd: '/etc/bc',
      readFile: (p) => {
        const text = files[p];
        if (text === undefined) throw new Error(`ENOENT: ${p}`);
        return text;
      },
    });
    expect(config.vaultRoot).toBe('/etc/bc/vaults');
    expect(config.clusters[0]?.kubeconfig).toBe('/etc/bc/kube/a.yaml');
    expect(config.logLevel).toBe('warn');
  });

  it('names an unreadable file', () => {
    const err = errorOf(() => loadConfig({ env: { [CONFIG_PATH_ENV]: '/nope/config.yaml' } }));
    expect(err.message).toMatch(/^config: \(file\): cannot read \/nope\/config\.yaml \(BACKUP_CENTER_CONFIG\): /);
  });

  it('reads the real example file from disk', () => {
    const config = loadConfig({ env: { [CONFIG_PATH_ENV]: join(here, 'example.yaml'), HOME: '/home/me' } });
    expect(config.vaultRoot).toBe(join(here, '.run/vaults'));
  });
});

describe('vault confinement keys', () => {
  it('allowedVaultRoots resolve like vaultRoot; allowedVaultEndpoints are kept as written', () => {
    const config = parseConfig('allowedVaultRoots: [backups, /mnt/b]\nallowedVaultEndpoints: [169.254.170.2]\n', {
      baseDir: '/etc/bc',
    });
    expect(config.allowedVaultRoots).toEqual(['/etc/bc/backups', '/mnt/b']);
    expect(config.allowedVaultEndpoints).toEqual(['169.254.170.2']);
  });

  it('refuses a configured vault whose endpoint is a link-local or metadata address, naming vaults[i].endpoint', () => {
    const vault = (endpoint: string) =>
      `vaults:\n  - name: s\n    backend: s3\n    bucket: backups\n    endpoint: ${endpoint}\n`;
    for (const endpoint of ['http://169.254.169.254', 'http://[fd00:ec2::254]', 'http://2852039166']) {
      const err = errorOf(() => parseConfig(vault(endpoint)));
      expect(
        err.issues.map((i) => i.path),
        endpoint,
      ).toEqual(['vaults.0.endpoint']);
      expect(err.message).toContain('link-local or cloud metadata address');
    }
    // Allowed by the configuration, and an ordinary endpoint needs nothing.
    expect(
      parseConfig(`${vault('http://169.254.170.2:80')}allowedVaultEndpoints: [169.254.170.2]\n`).vaults,
    ).toHaveLength(1);
    expect(parseConfig(vault('http://127.0.0.1:9000')).vaults).toHaveLength(1);
  });

  it("refuses a configured filesystem vault path with a '.' segment, naming it (it made the API answer 500)", () => {
    const err = errorOf(() => parseConfig('vaults:\n  - name: v\n    backend: filesystem\n    path: .\n'));
    expect(err.issues).toEqual([{ path: 'vaults.0.path', message: "must not contain '.' or '..' segments" }]);
  });
});

describe('configured vaults', () => {
  const vault = (path: string) => ({ name: 'v', backend: 'filesystem' as const, path });

  it('lie inside vaultRoot or allowedVaultRoots, as vaults created through the API must', () => {
    expect(configFromObject({ vaultRoot: '/data/vaults', vaults: [vault('team-a')] }).vaults[0]?.path).toBe('team-a');
    expect(() => configFromObject({ vaultRoot: '/data/vaults', vaults: [vault('/data/vaults/b')] })).not.toThrow();
    expect(() =>
      configFromObject({ vaultRoot: '/data/vaults', allowedVaultRoots: ['/mnt/nas'], vaults: [vault('/mnt/nas/b')] }),
    ).not.toThrow();
  });

  it('outside them are refused naming vaults.N.path', () => {
    for (const path of ['/etc', '/data/vaults', '/data/vaults-other/x']) {
      try {
        configFromObject({ vaultRoot: '/data/vaults', vaults: [vault(path)] });
        expect.unreachable(path);
      } catch (err) {
        expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['vaults.0.path']);
      }
    }
  });
});

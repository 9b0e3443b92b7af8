import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';

/** A failed Kubernetes API call, with the API's own reason (`NotFound`, `Forbidden`, `AlreadyExists`, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface ListPage<T> {
  items: T[];
  /** The server's estimate of items after this page, when it gives one. */
  remainingItemCount: number | undefined;
  resourceVersion: string | undefined;
  continue: string | undefined;
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * A thin JSON client over the Kubernetes REST API. @kubernetes/client-node loads the kubeconfig
 * and applies its credentials; requests go through one keep-alive agent because a backup is
 * thousands of paginated lists and gets, and per-call client setup would dominate.
 */
export class KubeClient {
  private constructor(
    readonly server: string,
    private readonly base: RequestOptions,
  ) {}

  static async fromKubeConfig(kc: KubeConfig): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const opts: RequestOptions = { headers: {} };
    await kc.applyToHTTPSOptions(opts);
    const url = new URL(cluster.server);
    const isHttps = url.protocol === 'https:';
    const agent = isHttps
      ? new Agent({
          keepAlive: true,
          maxSockets: 16,
          ca: opts.ca,
          cert: opts.cert,
          key: opts.key,
          rejectUnauthorized: opts.rejectUnauthorized,
        })
      : undefined;
    return new KubeClient(cluster.server.replace(/\/$/, ''), { ...opts, agent });
  }

  static async fromFile(path: string, context?: string): Promise<KubeClient> {
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    if (context) kc.setCurrentContext(context);
    return KubeClient.fromKubeConfig(kc);
  }

  static async inCluster(): Promise<KubeClient> {
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return KubeClient.fromKubeConfig(kc);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; contentType?: string; timeoutMs?: number } = {},
  ): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = {
      ...(this.base.headers as Record<string, string>),
      Accept: 'application/json',
    };
    if (payload) {
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const send = url.protocol === 'https:' ? request : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.base.agent, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          let body: unknown = undefined;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          if (status >= 200 && status < 300) return resolve(body as T);
          const st = (body ?? {}) as { reason?: string; message?: string };
          reject(
            new KubeApiError(
              status,
              st.reason ?? `HTTP${status}`,
              st.message ?? (text.slice(0, 300) || `HTTP ${status}`),
              path,
            ),
          );
        });
      });
      req.on('timeout', () => req.destroy(new Error(`Kubernetes API request timed out: ${method} ${path}`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  /**
   * Pages through a list with limit/continue. The next page is requested as soon as a page
   * arrives, so the server works while the caller processes: memory holds at most two pages.
   */
  async *listPages<T = unknown>(path: string, query: Query = {}, limit = 500): AsyncGenerator<ListPage<T>> {
    type Page = {
      items?: T[];
      metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number };
    };
    const fetchPage = (token: string | undefined) => this.get<Page>(path, { ...query, limit, continue: token });
    let next: Promise<Page> | undefined = fetchPage(undefined);
    while (next) {
      const page: Page = await next;
      const token = page.metadata?.continue || undefined;
      next = token ? fetchPage(token) : undefined;
      next?.catch(() => undefined); // surfaced when awaited
      yield {
        items: page.items ?? [],
        remainingItemCount: page.metadata?.remainingItemCount,
        resourceVersion: page.metadata?.resourceVersion,
        continue: token,
      };
    }
  }
}

/** REST path of a collection or an object. */
export function resourcePath(
  group: string,
  version: string,
  resource: string,
  namespace?: string,
  name?: string,
): string {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${ns}/${resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

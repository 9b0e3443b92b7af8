import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { splitListPage, type RawListPage } from './list-page.js';

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
    const text = (await this.requestBytes(method, path, opts)).toString('utf8');
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T; // plain-text endpoints
    }
  }

  /** A call's response body as bytes; a non-2xx answer rejects with a KubeApiError. */
  async requestBytes(
    method: string,
    path: string,
    opts: { query?: Query; body?: unknown; contentType?: string; timeoutMs?: number } = {},
  ): Promise<Buffer> {
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
    return new Promise<Buffer>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.base.agent, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(body);
          const text = body.toString('utf8');
          let st: { reason?: string; message?: string } = {};
          try {
            st = (JSON.parse(text) ?? {}) as typeof st;
          } catch {
            // not a Status object: the text itself is the message
          }
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
      items?: T[] | null;
      metadata?: { continue?: string; resourceVersion?: string; remainingItemCount?: number };
    };
    const pages = prefetched(
      (token) => this.get<Page>(path, { ...query, limit, continue: token }),
      (page) => page.metadata?.continue || undefined,
    );
    for await (const page of pages) {
      yield {
        items: page.items ?? [],
        remainingItemCount: page.metadata?.remainingItemCount,
        resourceVersion: page.metadata?.resourceVersion,
        continue: page.metadata?.continue || undefined,
      };
    }
  }

  /** listPages with each item as the JSON bytes the server sent, for callers that store objects unchanged. */
  listRawPages(path: string, query: Query = {}, limit = 500): AsyncGenerator<RawListPage> {
    return prefetched(
      async (token) =>
        splitListPage(await this.requestBytes('GET', path, { query: { ...query, limit, continue: token } })),
      (page) => page.continue,
    );
  }
}

/** Yields pages, requesting the next one (by its continue token) before the caller gets the current one. */
async function* prefetched<P>(
  fetchPage: (token: string | undefined) => Promise<P>,
  tokenOf: (page: P) => string | undefined,
): AsyncGenerator<P> {
  let next: Promise<P> | undefined = fetchPage(undefined);
  while (next) {
    const page: P = await next;
    const token = tokenOf(page);
    next = token ? fetchPage(token) : undefined;
    next?.catch(() => undefined); // surfaced when awaited
    // The request only leaves once the event loop turns (the socket is assigned in a later tick), and a
    // caller working through the page in promise continuations would not let it turn until the end.
    if (next) await new Promise<void>((resolve) => setImmediate(resolve));
    yield page;
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

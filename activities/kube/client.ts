import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import type { HeadOptions, ItemHead } from './list-item.js';
import { ListPageSplitter, type ListPageMetadata } from './list-page.js';
import { readAll } from '../../lib/streams.js';

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
type RequestOptionsFor = { query?: Query; body?: unknown; contentType?: string; timeoutMs?: number };

/** Items of a list as their JSON bytes, batch by batch as the response arrives; `page` ends each page. */
export interface RawItemBatch {
  items: Buffer[];
  /** With the heads option: each item's head, in step with items (undefined: the item must be parsed). */
  heads?: Array<ItemHead | undefined>;
  page?: ListPageMetadata & { itemCount: number };
}

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

  async request<T = unknown>(method: string, path: string, opts: RequestOptionsFor = {}): Promise<T> {
    const text = (await readAll(await this.open(method, path, opts))).toString('utf8');
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T; // plain-text endpoints
    }
  }

  /** A call's response, once its status is known to be 2xx; otherwise rejects with a KubeApiError. */
  private open(method: string, path: string, opts: RequestOptionsFor): Promise<IncomingMessage> {
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
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { method, headers, agent: this.base.agent, timeout: opts.timeoutMs ?? 60_000 }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readAll(res).then((body) => {
          const text = body.toString('utf8');
          let st: { reason?: string; message?: string } = {};
          try {
            st = (JSON.parse(text) ?? {}) as typeof st;
          } catch {
            // not a Status object: the text itself is the message
          }
          const message = st.message ?? (text.slice(0, 300) || `HTTP ${status}`);
          reject(new KubeApiError(status, st.reason ?? `HTTP${status}`, message, path));
        }, reject);
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
    const fetchPage = (token: string | undefined) => this.get<Page>(path, { ...query, limit, continue: token });
    let next: Promise<Page> | undefined = fetchPage(undefined);
    while (next) {
      const page: Page = await next;
      const token = page.metadata?.continue || undefined;
      next = token ? fetchPage(token) : undefined;
      next?.catch(() => undefined); // surfaced when awaited
      if (next) await turn();
      yield {
        items: page.items ?? [],
        remainingItemCount: page.metadata?.remainingItemCount,
        resourceVersion: page.metadata?.resourceVersion,
        continue: token,
      };
    }
  }

  /**
   * Pages through a list like listPages, each item as the JSON bytes the server sent, handed out
   * while the response is still arriving: the API server streams a page over several
   * milliseconds, and the caller's work on its first items overlaps the rest of the transfer.
   */
  async *listRawItems(path: string, query: Query = {}, limit = 500, heads?: HeadOptions): AsyncGenerator<RawItemBatch> {
    const openPage = (token: string | undefined) => {
      const opened = this.open('GET', path, { query: { ...query, limit, continue: token } });
      opened.catch(() => undefined); // surfaced when awaited
      return opened;
    };
    let next: Promise<IncomingMessage> | undefined = openPage(undefined);
    let response: IncomingMessage | undefined;
    try {
      while (next) {
        response = await next;
        next = undefined;
        const splitter = new ListPageSplitter(heads);
        let itemCount = 0;
        for await (const chunk of response) {
          const items = splitter.push(chunk as Buffer);
          // The server sends metadata, so the continue token, before the items: the next page is
          // requested then, and the server prepares it while this one is worked through.
          const token = splitter.metadata?.continue;
          if (token && !next) next = openPage(token);
          itemCount += items.length;
          if (items.length > 0) yield heads ? { items, heads: splitter.heads } : { items };
        }
        const page = splitter.end();
        if (page.continue && !next) next = openPage(page.continue);
        yield { items: [], page: { ...page, itemCount } };
      }
    } finally {
      // A caller that stops early (or a malformed page) leaves responses unread: their connections go.
      if (response && !response.complete) response.destroy();
      next?.then(
        (r) => r.destroy(),
        () => undefined,
      );
    }
  }
}

/**
 * One turn of the event loop. A request only leaves once the loop turns (its socket is assigned in
 * a later tick), and a caller working through a page in promise continuations would not let it turn.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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

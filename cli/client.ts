// A thin client of the REST API over fetch: JSON in and out, bearer token, and problem documents
// turned into errors that print the way the API wrote them (every invalid field listed).

export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: Array<{ path: string; message: string }>;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: ProblemDocument | undefined,
    text: string,
  ) {
    super(problem?.detail ?? (text.trim() || `HTTP ${status}`));
  }

  /** `Conflict (409, NameAlreadyUsed): The name is already used…` plus one line per invalid field. */
  describe(): string {
    const p = this.problem;
    const head = p
      ? `${p.title ?? 'Error'} (${this.status}${p.code ? `, ${p.code}` : ''}): ${p.detail ?? ''}`.trimEnd()
      : `HTTP ${this.status}: ${this.message}`;
    const fields = (p?.errors ?? []).map((e) => `  ${e.path}: ${e.message}`);
    return [head, ...fields].join('\n');
  }
}

/** The API did not answer at all (connection refused or reset, DNS, timeout): it may be restarting. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
}

/** Whether a failed request may succeed when repeated: the API was unreachable or said it is briefly unavailable. */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiUnreachableError || (err instanceof ApiError && [502, 503, 504].includes(err.status));
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  server: string;
  token?: string;
  fetch?: FetchLike;
}

export class ApiClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: FetchLike;

  constructor(options: ApiClientOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init));
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain;q=0.9' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.server}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new ApiUnreachableError(`cannot reach the backup center API at ${this.server}: ${cause}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let problem: ProblemDocument | undefined;
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null) problem = parsed as ProblemDocument;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(res.status, problem, text);
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    return (await res.json()) as T;
  }

  async text(method: string, path: string): Promise<string> {
    return (await this.send(method, path)).text();
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body ?? {});
  }

  delete<T>(path: string): Promise<T> {
    return this.json<T>('DELETE', path);
  }
}

/** A name as one path segment. */
export function seg(name: string): string {
  return encodeURIComponent(name);
}

// An HTTP reverse proxy on loopback that fails a fraction of the requests it forwards, to prove an
// object-store backend survives what a real network and a busy service do to it: 503 SlowDown and
// 500 InternalError answers, a connection reset while the request is sent, an answer lost whole
// or cut off mid-body, a slow answer. Any store speaking HTTP/1.1 can sit behind it (S3, OSS): requests and
// answers pass byte for byte with their headers, so request signatures stay valid.
import { request as httpRequest, createServer, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from './seeded-random.js';

export type Fault = 'slowdown' | 'internal-error' | 'reset-request' | 'lose-response' | 'cut-response' | 'delay';

export const ALL_FAULTS: readonly Fault[] = [
  'slowdown',
  'internal-error',
  'reset-request',
  'lose-response',
  'cut-response',
  'delay',
];

export interface FaultProxyOptions {
  /** `http://host:port` of the real store. */
  target: string;
  /** Fraction of requests (0..1) that meet a fault. */
  failureRate: number;
  /** Seeds the choice of requests and faults (the order of concurrent requests still varies). */
  seed?: number;
  faults?: readonly Fault[];
  /** Upper bound of a 'delay' fault. */
  maxDelayMs?: number;
  /** Sees every request as it arrives (method, URL, headers), for tests of what a client sends. */
  onRequest?: (req: IncomingMessage) => void;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests seen, and faults injected by kind (a fault drawn where it cannot apply is not counted). */
  readonly counts: Record<Fault | 'requests', number>;
  stop(): Promise<void>;
}

// Not hop-by-hop in name, but answered by the proxy itself: Node's server sends `100 Continue`
// before the request event, so the store must not wait to send one again.
const PROXY_HANDLED = new Set(['connection', 'keep-alive', 'expect', 'proxy-connection']);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const faults = options.faults ?? ALL_FAULTS;
  const random = mulberry32(options.seed ?? 1);
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const counts = Object.fromEntries([...ALL_FAULTS, 'requests'].map((k) => [k, 0])) as FaultProxy['counts'];
  const agent = new Agent({ keepAlive: true });

  const forward = (req: IncomingMessage, onResponse: (upstream: IncomingMessage) => void, client: ServerResponse) => {
    const up = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.rawHeaders),
      agent,
      setHost: false,
    });
    up.on('response', onResponse);
    up.on('error', () => client.socket?.resetAndDestroy());
    // A client that gives up (its timeout, a retry) must not leave the store waiting for the rest.
    client.on('close', () => {
      if (!client.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  const server = createServer((req, res) => {
    counts.requests++;
    options.onRequest?.(req);
    const fault = random() < options.failureRate ? faults[Math.floor(random() * faults.length)] : undefined;
    const inject = (f: Fault) => counts[f]++;
    switch (fault) {
      case undefined:
        return forward(req, (up) => relay(up, res), res);
      case 'slowdown':
        inject(fault);
        return answerError(req, res, 503, 'SlowDown', 'Please reduce your request rate.');
      case 'internal-error':
        inject(fault);
        return answerError(req, res, 500, 'InternalError', 'We encountered an internal error. Please try again.');
      case 'reset-request':
        // Some of the request may arrive first; the store never sees any of it.
        inject(fault);
        req.once('data', () => res.socket?.resetAndDestroy());
        req.once('end', () => res.socket?.resetAndDestroy());
        req.resume();
        return;
      case 'lose-response':
      case 'cut-response':
        // The store acts on the request but its answer is lost. Only where HTTP lets a client
        // resend on its own (RFC 9110 9.2.2, idempotent methods): a POST whose answer is lost,
        // such as completing a multipart upload, cannot be resent safely by any client.
        if (!IDEMPOTENT.has(req.method ?? '')) return forward(req, (up) => relay(up, res), res);
        return forward(
          req,
          (up) => {
            if (fault === 'lose-response') {
              inject(fault);
              lose(up, res);
            } else if (req.method === 'HEAD' || Number(up.headers['content-length'] ?? 0) < 2) {
              relay(up, res); // only an answer with a body of some length has a middle to cut at
            } else {
              inject(fault);
              cut(up, res);
            }
          },
          res,
        );
      case 'delay': {
        inject(fault);
        const timer = setTimeout(() => forward(req, (up) => relay(up, res), res), random() * maxDelayMs);
        res.on('close', () => clearTimeout(timer));
        return;
      }
    }
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      agent.destroy();
      await closed;
    },
  };
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function relay(upstream: IncomingMessage, res: ServerResponse): void {
  res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, endToEnd(upstream.rawHeaders));
  upstream.pipe(res);
}

/** The connection is reset before any of the answer reaches the client. */
function lose(upstream: IncomingMessage, res: ServerResponse): void {
  upstream.resume();
  res.socket?.resetAndDestroy();
}

/** The head and the first half of the body reach the client, then the connection is reset. */
function cut(upstream: IncomingMessage, res: ServerResponse): void {
  res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, endToEnd(upstream.rawHeaders));
  let left = Math.floor(Number(upstream.headers['content-length']) / 2);
  upstream.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    res.write(part, () => {
      if (left <= 0) {
        upstream.destroy();
        res.socket?.resetAndDestroy();
      }
    });
  });
}

/** An error answer in the XML S3 and OSS share (`<Error><Code>`), after reading the request. */
function answerError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): void {
  req.resume();
  req.on('end', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

/** Raw headers (name, value, name, value...) less those the proxy answers for itself. */
function endToEnd(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if (!PROXY_HANDLED.has(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

// In-process HTTP requests for unit tests of express apps and middleware: no socket is opened,
// no port is bound. The request is a real IncomingMessage (so express.json() reads the body)
// and the response a real ServerResponse whose output is captured.

import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

export interface InjectRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with `Content-Type: application/json`). */
  body?: unknown;
}

export interface InjectResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  json(): unknown;
}

/** Anything express-like: `(req, res) => void`. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function inject(app: RequestListener, request: InjectRequest): Promise<InjectResponse> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const req = new IncomingMessage(socket);
    req.method = (request.method ?? 'GET').toUpperCase();
    req.url = request.url;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers ?? {})) headers[k.toLowerCase()] = v;
    let payload: Buffer | undefined;
    if (request.body !== undefined) {
      if (typeof request.body === 'string') {
        payload = Buffer.from(request.body, 'utf8');
      } else {
        payload = Buffer.from(JSON.stringify(request.body), 'utf8');
        headers['content-type'] ??= 'application/json';
      }
      headers['content-length'] = String(payload.length);
    }
    req.headers = headers;
    if (payload !== undefined) req.push(payload);
    req.push(null);

    const res = new ServerResponse(req);
    const chunks: Buffer[] = [];
    const collect = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      chunks.push(
        Buffer.isBuffer(chunk)
          ? chunk
          : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'),
      );
    };
    res.write = ((chunk: unknown, encoding?: unknown) => {
      collect(chunk, encoding);
      return true;
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, encoding?: unknown) => {
      collect(chunk, encoding);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({
        status: res.statusCode,
        headers: res.getHeaders() as InjectResponse['headers'],
        text,
        json: () => JSON.parse(text) as unknown,
      });
      return res;
    }) as ServerResponse['end'];
    try {
      app(req, res);
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

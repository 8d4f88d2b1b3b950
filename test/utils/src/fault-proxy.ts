import http from 'node:http';
import type net from 'node:net';

/** What a faulty network path or a broken server in front of the upstream does to a request. */
export type Fault =
  /** Holds each request this long before forwarding it: a slow or overloaded upstream. */
  | { kind: 'slow'; delayMs: number }
  /** Forwards the status, headers (with the full Content-Length) and half the body, then drops the connection. */
  | { kind: 'drop' }
  /**
   * Forwards the status, the headers without Content-Length, and half the body as a complete
   * chunked response: cut short with nothing at the HTTP level to show it, as a proxy that
   * buffered only part of the answer does.
   */
  | { kind: 'truncate' }
  /** Answers with this status and a plain-text error page, as a load balancer does. */
  | { kind: 'status'; status: number }
  /** Answers 200 with an HTML page: a captive portal, a maintenance page, the wrong service. */
  | { kind: 'html' }
  /** Answers with this response, never asking the upstream: a replayed or forged answer from whoever sits in between. */
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: Buffer | string };

export interface FaultOptions {
  /** Which requests get the fault, by path. @default every request */
  only?: (path: string) => boolean;
  /** Also cut the responses in flight now (long-lived event streams), as a network drop would. @default false */
  cutOpen?: boolean;
}

export interface FaultProxy {
  readonly url: string;
  /** Where requests are forwarded; a restarted upstream may listen elsewhere. */
  upstream: string;
  /** Requests forwarded untouched, and requests that got the fault, since the proxy started. */
  stats(): { forwarded: number; faulted: number };
  /** Applies `fault` to the requests that arrive from now on; `undefined` ends it. */
  setFault(fault: Fault | undefined, options?: FaultOptions): void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1 and an ephemeral port in front of `upstream`, for putting a
 * service's connection to another one through faults a test controls. When the upstream is
 * down, the client's connection is reset (what it would see from a dead server behind a
 * transparent proxy), never answered with a status the upstream did not send.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<net.Socket>();
  const open = new Set<http.ServerResponse>();
  const counts = { forwarded: 0, faulted: 0 };
  let current: { fault: Fault; only: (path: string) => boolean } | undefined;

  const proxy: FaultProxy = {
    url: '',
    upstream,
    stats: () => ({ ...counts }),
    setFault(fault, options = {}) {
      current = fault && { fault, only: options.only ?? (() => true) };
      if (fault && options.cutOpen) for (const res of open) res.socket?.resetAndDestroy();
    },
    close() {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer(function handle(req, res) {
    const fault = current?.only(req.url ?? '/') ? current.fault : undefined;
    counts[fault ? 'faulted' : 'forwarded'] += 1;
    if (fault?.kind === 'status') return answer(res, fault.status, 'text/plain; charset=utf-8', `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}\n`);
    if (fault?.kind === 'html') return answer(res, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE);
    if (fault?.kind === 'answer') return void res.writeHead(fault.status, fault.headers).end(fault.body);
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => forward(req, res, undefined), fault.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    forward(req, res, fault?.kind);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, cut: 'drop' | 'truncate' | undefined): void {
    if (res.destroyed) return;
    const target = new URL(req.url ?? '/', proxy.upstream);
    const outgoing = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host }, agent });
    outgoing.on('error', () => res.socket?.resetAndDestroy());
    res.on('close', () => outgoing.destroy());
    outgoing.on('response', (incoming) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      if (cut) return cutMidBody(incoming, res, cut);
      res.writeHead(incoming.statusCode ?? 502, incoming.headers);
      // The upstream died mid-answer: so does the answer.
      incoming.on('aborted', () => res.socket?.resetAndDestroy());
      incoming.on('error', () => res.socket?.resetAndDestroy());
      incoming.pipe(res);
    });
    req.pipe(outgoing);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  Object.defineProperty(proxy, 'url', { value: `http://127.0.0.1:${port}` });
  return proxy;
}

// --- internal ---

const MAINTENANCE_PAGE = '<!doctype html>\n<html><head><title>Down for maintenance</title></head><body><h1>We will be back soon</h1></body></html>\n';

function answer(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
}

// Half the declared body (or the first chunk of one of unknown length), then the connection
// is dropped, or the answer is ended as if that were all of it.
function cutMidBody(incoming: http.IncomingMessage, res: http.ServerResponse, how: 'drop' | 'truncate'): void {
  const declared = Number(incoming.headers['content-length']);
  const keep = Number.isSafeInteger(declared) && declared > 1 ? Math.floor(declared / 2) : 0;
  const { 'content-length': _length, ...headers } = incoming.headers;
  res.writeHead(incoming.statusCode ?? 502, how === 'drop' ? incoming.headers : headers);
  let sent = 0;
  let done = false;
  // Once what was sent reached the socket: the client gets all of it before the connection goes.
  const cut = (): void => {
    if (how === 'drop') res.destroy();
    else res.end();
  };
  incoming.on('error', () => {});
  incoming.on('data', (chunk: Buffer) => {
    if (done) return;
    const part = keep === 0 ? chunk : chunk.subarray(0, keep - sent);
    sent += part.length;
    if (keep !== 0 && sent < keep) return void res.write(part);
    done = true;
    incoming.destroy();
    res.write(part, cut);
  });
  incoming.on('end', () => {
    if (done) return;
    done = true;
    cut();
  });
}

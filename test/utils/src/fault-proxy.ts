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
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: Buffer | string }
  /**
   * Answers each request with what `answer` gives for its path (`/v1/tuf/metadata/timestamp.json`),
   * and forwards it when that is nothing: forged documents in place of some, the rest real.
   */
  | { kind: 'rewrite'; answer(path: string): ForgedAnswer | undefined }
  /** Answers each path with the answer recorded for it (see `record`), and forwards a path never recorded: the past, replayed. */
  | { kind: 'replay' }
  /**
   * Answers 200 with `prefix` and then spaces for ever, until the client closes (see `endless()`):
   * as fast as the client reads, or with `pace`, one chunk of `bytes` every `everyMs`.
   */
  | { kind: 'endless'; contentType: string; prefix?: Buffer | string; pace?: EndlessPace };

/**
 * How an endless answer is paced. Unpaced, what the proxy counts includes what sits in socket
 * buffers (megabytes on loopback) when the client stops reading; paced slower than the client
 * reads, the count is what the client read, within the chunks sent while it was closing.
 */
export interface EndlessPace {
  bytes: number;
  everyMs: number;
}

/** A response the proxy makes up. */
export interface ForgedAnswer {
  /** @default 200 */
  status?: number;
  /** @default application/json */
  contentType?: string;
  body: Buffer | Uint8Array | string;
}

/** An upstream answer kept by `record`. */
export interface RecordedAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One endless answer: how much of it was written before the client closed the connection. */
export interface EndlessAnswer {
  path: string;
  bytes: number;
  /** The client closed it (it can only end that way). */
  closed: boolean;
}

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
  /** Keeps the last complete answer the upstream gave for each path (event streams aside) from now on; `false` stops. */
  record(on: boolean): void;
  /** The answer recorded for `path` (`/v1/tuf/metadata/timestamp.json`), if any. */
  recorded(path: string): RecordedAnswer | undefined;
  /** The endless answers sent so far, in order. */
  endless(): readonly EndlessAnswer[];
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
  let recording = false;
  const records = new Map<string, RecordedAnswer>();
  const endless: EndlessAnswer[] = [];

  const proxy: FaultProxy = {
    url: '',
    upstream,
    stats: () => ({ ...counts }),
    setFault(fault, options = {}) {
      current = fault && { fault, only: options.only ?? (() => true) };
      if (fault && options.cutOpen) for (const res of open) res.socket?.resetAndDestroy();
    },
    record(on) {
      recording = on;
    },
    recorded: (path) => records.get(path),
    endless: () => endless.map((answer) => ({ ...answer })),
    close() {
      agent.destroy();
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer(function handle(req, res) {
    const url = req.url ?? '/';
    let fault = current?.only(url) ? current.fault : undefined;
    // A rewrite or a replay that has nothing for this path leaves it to the upstream.
    const made = fault?.kind === 'rewrite' ? fault.answer(url) : undefined;
    const replayed = fault?.kind === 'replay' ? records.get(url) : undefined;
    if ((fault?.kind === 'rewrite' && !made) || (fault?.kind === 'replay' && !replayed)) fault = undefined;
    counts[fault ? 'faulted' : 'forwarded'] += 1;
    if (made) {
      const body = typeof made.body === 'string' ? Buffer.from(made.body) : Buffer.from(made.body.buffer, made.body.byteOffset, made.body.byteLength);
      return void res.writeHead(made.status ?? 200, { 'content-type': made.contentType ?? 'application/json', 'content-length': body.length }).end(body);
    }
    if (replayed) return void res.writeHead(replayed.status, replayed.headers).end(replayed.body);
    if (fault?.kind === 'endless') return streamEndless(url, res, fault, endless);
    if (fault?.kind === 'status') return answer(res, fault.status, 'text/plain; charset=utf-8', `${fault.status} ${http.STATUS_CODES[fault.status] ?? ''}\n`);
    if (fault?.kind === 'html') return answer(res, 200, 'text/html; charset=utf-8', MAINTENANCE_PAGE);
    if (fault?.kind === 'answer') return void res.writeHead(fault.status, fault.headers).end(fault.body);
    if (fault?.kind === 'slow') {
      const timer = setTimeout(() => forward(req, res, undefined), fault.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    forward(req, res, fault?.kind === 'drop' || fault?.kind === 'truncate' ? fault.kind : undefined);
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
      if (recording && !String(incoming.headers['content-type']).startsWith('text/event-stream')) keepAnswer(req.url ?? '/', incoming, records);
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

// The answer as it arrives, kept once it is complete (an answer cut short is not a record of anything).
function keepAnswer(path: string, incoming: http.IncomingMessage, records: Map<string, RecordedAnswer>): void {
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
  incoming.on('end', () => records.set(path, { status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(chunks) }));
}

// Writes as fast as the client takes it (waiting for 'drain'), or paced, never ending: only the
// client's close stops it, and what was written by then is counted.
function streamEndless(
  path: string,
  res: http.ServerResponse,
  fault: { contentType: string; prefix?: Buffer | string; pace?: EndlessPace },
  log: EndlessAnswer[],
): void {
  const entry: EndlessAnswer = { path, bytes: 0, closed: false };
  log.push(entry);
  const filler = Buffer.alloc(fault.pace?.bytes ?? 64 * 1024, ' ');
  let timer: NodeJS.Timeout | undefined;
  res.on('close', () => {
    entry.closed = true;
    clearInterval(timer);
  });
  res.writeHead(200, { 'content-type': fault.contentType });
  const write = (chunk: Buffer): boolean => {
    entry.bytes += chunk.length;
    return res.write(chunk);
  };
  const pump = (): void => {
    while (!res.destroyed && write(filler)) {}
    if (!res.destroyed) res.once('drain', pump);
  };
  if (fault.prefix !== undefined) write(Buffer.from(fault.prefix));
  if (!fault.pace) {
    pump();
    return;
  }
  timer = setInterval(() => {
    if (!res.destroyed) write(filler);
  }, fault.pace.everyMs);
}

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

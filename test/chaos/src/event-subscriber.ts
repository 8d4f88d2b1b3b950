// A Server-Sent Events client as a host runs one, small enough to run a thousand in one test:
// it records every event id it is sent, and when its stream ends it reconnects (to the next
// URL in its list) with Last-Event-ID, as EventSource and the modmesh runtime do.
import http from 'node:http';

export interface Subscriber {
  /** Every event id received, in order (repeats included: a test counts them). */
  readonly ids: number[];
  /** Streams opened, the first included. */
  readonly connects: number;
  /** Resolves once the first stream answered. */
  readonly ready: Promise<void>;
  close(): void;
}

// A killed replica refuses connections at once; the next URL is tried after this.
const RECONNECT_MS = 50;

/** `lastEventId: 'latest'` subscribes from now on, as a page that just read the current state does. */
export function subscribe(urls: string[], options: { lastEventId: number | 'latest' }): Subscriber {
  const ids: number[] = [];
  let connects = 0;
  let closed = false;
  let current: http.ClientRequest | undefined;
  let attempt = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connect = (): void => {
    if (closed) return;
    const url = urls[attempt++ % urls.length]!;
    const lastEventId = ids.at(-1) ?? options.lastEventId;
    const request = http.get(
      `${url}/v1/events`,
      { agent: false, headers: { accept: 'text/event-stream', 'last-event-id': String(lastEventId) } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          return;
        }
        connects += 1;
        markReady();
        let buffered = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffered += chunk;
          let end = buffered.indexOf('\n\n');
          while (end !== -1) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block)?.[1];
            if (id) ids.push(Number(id));
            end = buffered.indexOf('\n\n');
          }
        });
      },
    );
    current = request;
    request.on('error', () => undefined);
    request.on('close', () => {
      if (!closed) setTimeout(connect, RECONNECT_MS);
    });
  };
  connect();

  return {
    ids,
    get connects() {
      return connects;
    },
    ready,
    close() {
      closed = true;
      current?.destroy();
    },
  };
}

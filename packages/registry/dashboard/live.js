// Follows `GET /v1/events`. With reads open it is a plain EventSource; when the registry needs a
// token for reads, EventSource cannot send one, so the stream is read with fetch instead.

const EVENT_TYPES = ['release.published', 'tag.moved'];
// Waits between reconnection attempts of the fetch stream, growing to the last one.
const RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000];
// The registry sends a heartbeat every 15 s; this long without a byte means the stream is dead.
const STALE_STREAM_MS = 45_000;

/**
 * @param options.token  a token to fall back on when the registry refuses an anonymous stream, or null
 * @param options.tokenFirst  reads are known to need the token: skip the anonymous attempt
 * @param options.onEvent  (type, data) for every event
 * @param options.onStatus  'connecting' | 'live' | 'reconnecting' | 'refused'
 * @returns {{ close(): void }}
 */
export function connectLive({ token, tokenFirst = false, onEvent, onStatus }) {
  let closed = false;
  let lastEventId = null;
  let source;
  let controller;

  if (token && tokenFirst) void followWithFetch();
  else followWithEventSource();

  function deliver(type, id, data) {
    if (id) lastEventId = id;
    if (!EVENT_TYPES.includes(type)) return;
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    onEvent(type, payload);
  }

  function followWithEventSource() {
    onStatus('connecting');
    // The page reads the current state itself: only what happens from now on.
    source = new EventSource(`/v1/events?lastEventId=${encodeURIComponent(lastEventId || 'latest')}`);
    source.addEventListener('open', () => onStatus('live'));
    for (const type of EVENT_TYPES) source.addEventListener(type, (message) => deliver(type, message.lastEventId, message.data));
    source.addEventListener('error', function streamError() {
      // CONNECTING: the browser reconnects by itself, resuming after the last event id.
      // CLOSED: the registry refused the stream (a token is needed, or it answered an error).
      if (source.readyState !== EventSource.CLOSED) return onStatus('reconnecting');
      source.close();
      if (closed) return;
      if (token) return void followWithFetch();
      onStatus('refused');
      setTimeout(() => closed || followWithEventSource(), RETRY_DELAYS_MS.at(-1));
    });
  }

  async function followWithFetch() {
    for (let attempt = 0; !closed; attempt += 1) {
      onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
      controller = new AbortController();
      try {
        const headers = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
        headers['last-event-id'] = lastEventId || 'latest';
        const response = await fetch('/v1/events', { headers, signal: controller.signal, cache: 'no-store' });
        if (response.status === 401 || response.status === 403) {
          onStatus('refused');
          return;
        }
        if (response.ok && response.body) {
          onStatus('live');
          attempt = 0;
          await readEventStream(response.body, controller, deliver);
        }
      } catch {
        // A dropped connection or an aborted stale one: retried below.
      }
      if (closed) return;
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]));
    }
  }

  return {
    close() {
      closed = true;
      source?.close();
      controller?.abort();
    },
  };
}

// --- internal ---

/** Parses `text/event-stream` (id, event, data fields; a blank line ends an event). */
async function readEventStream(body, controller, deliver) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { type: 'message', id: '', data: [] };
  let watchdog = setTimeout(() => controller.abort(), STALE_STREAM_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), STALE_STREAM_MS);
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (event.data.length > 0) deliver(event.type, event.id, event.data.join('\n'));
          event = { type: 'message', id: '', data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const text = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.type = text;
        else if (field === 'id') event.id = text;
        else if (field === 'data') event.data.push(text);
      }
    }
  } finally {
    clearTimeout(watchdog);
  }
}

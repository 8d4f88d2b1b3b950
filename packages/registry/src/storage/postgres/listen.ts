import pg from 'pg';

// Reconnecting after the listening connection dropped: from the first delay, doubling, to the cap.
const RECONNECT_FIRST_MS = 200;
const RECONNECT_MAX_MS = 5000;
// A notification can be lost while the listening connection is down or half-dead (no TCP reset
// reaches a process whose peer vanished). A nudge this often bounds how late an event can be:
// the hub then reads what it missed from the events table, in order.
const NUDGE_MS = 5000;

/**
 * LISTENs on `channel` over a connection of its own (a pooled one would be handed to other
 * queries) and calls `onEvents` on every notification, after every (re)connect, and every
 * NUDGE_MS. Resolves once listening, or rejects if the first connection fails.
 */
export async function watchPostgresEvents(url: string, channel: string, onEvents: () => void, onError?: (error: Error) => void): Promise<() => Promise<void>> {
  let client: pg.Client | undefined;
  let stopped = false;
  let delay = RECONNECT_FIRST_MS;
  let retry: NodeJS.Timeout | undefined;

  const connect = async function listen(): Promise<void> {
    const next = new pg.Client({ connectionString: url, application_name: 'modmesh-registry-listen', keepAlive: true });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (error) onError?.(error);
      next.end().catch(() => undefined);
      if (client === next) client = undefined;
      scheduleReconnect();
    };
    next.on('error', onLost);
    next.on('end', () => onLost());
    next.on('notification', () => onEvents());
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    if (stopped) {
      await next.end();
      return;
    }
    client = next;
    delay = RECONNECT_FIRST_MS;
    // Whatever was committed while nobody listened.
    onEvents();
  };
  const scheduleReconnect = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(function reconnect() {
      retry = undefined;
      connect().catch((error: Error) => {
        onError?.(error);
        scheduleReconnect();
      });
    }, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  await connect();
  const nudge = setInterval(onEvents, NUDGE_MS);
  nudge.unref();
  return async function stopWatching() {
    stopped = true;
    clearInterval(nudge);
    clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A request whose answer is parsed as JSON. It aborts after `deadlineMs`, so a test of "answers
 * within its deadline" fails instead of hanging when the server does not answer.
 */
export async function requestJson<T = Record<string, unknown>>(
  url: string,
  init: RequestInit & { json?: unknown; deadlineMs?: number } = {},
): Promise<JsonResponse<T>> {
  const { json, deadlineMs = 15_000, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    headers: { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...rest.headers },
    body: json === undefined ? rest.body : JSON.stringify(json),
    signal: AbortSignal.timeout(deadlineMs),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: response.status, headers: response.headers, body: body as T };
}

/** Polls `check` until it returns a value other than `undefined`, or fails after `deadlineMs`. */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, { deadlineMs = 20_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not true within ${deadlineMs} ms${last ? ` (last error: ${last})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

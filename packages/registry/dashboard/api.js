// Same-origin calls to the registry's HTTP API (packages/registry/README.md).

/** An error answer from the registry: `{error: {code, message, hint}}`, or a network failure. */
export class ApiError extends Error {
  constructor({ status, code, message, hint }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.hint = hint ?? '';
  }
}

/**
 * @param getToken returns the token to send, or null
 * @example
 * const api = createApi(() => sessionStorage.getItem('modmesh.token'));
 * const { remotes } = await api.get('/v1/remotes');
 */
export function createApi(getToken) {
  async function request(method, path, body) {
    const headers = { accept: 'application/json' };
    const token = getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (cause) {
      throw new ApiError({
        status: 0,
        code: 'NETWORK_ERROR',
        message: `the registry did not answer ${method} ${path} (${cause.message})`,
        hint: 'Check that the registry is running; the page retries on its own.',
      });
    }
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (response.ok && json) return json;
    const error = json?.error;
    throw new ApiError({
      status: response.status,
      code: error?.code ?? `HTTP_${response.status}`,
      message: error?.message ?? `${method} ${path} answered ${response.status} ${response.statusText}`,
      hint: error?.hint,
    });
  }

  return {
    get: (path) => request('GET', path),
    send: (method, path, body) => request(method, path, body),
  };
}

/** A path with each segment URL-encoded: `path('v1', 'remotes', name)`. */
export function path(...segments) {
  return `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}

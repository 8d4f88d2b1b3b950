// Who the page is signed in as: the token (kept for this browser tab only), what the registry
// says it may do, and the one registry client (@modmesh/api) that sends it.
import { createRegistryClient, type RegistryClient, type WhoamiAnswer } from '@modmesh/api';

export interface Session {
  readonly token: string | null;
  /** What the token may do (`GET /v1/whoami`); null when signed out. */
  readonly principal: WhoamiAnswer | null;
  readonly client: RegistryClient;
}

/** The page talks to the registry that served it. */
export const REGISTRY = location.origin;
// Never localStorage, never a cookie.
const TOKEN_KEY = 'modmesh.token';
// What to do about a registry that does not answer, in the page's terms.
const HINTS = {
  MODMESH_REMOTE_UNREACHABLE: 'Check that the registry is running; the page retries on its own.',
  MODMESH_REMOTE_TIMEOUT: 'The registry is slow to answer; the page retries on its own.',
};

/** Checks a token with the registry and keeps it for this tab; a token it does not know is refused (MODMESH_AUTH_REQUIRED). */
export async function signInWith(token: string): Promise<Session> {
  const client = clientFor(token);
  const principal = await client.whoami();
  sessionStorage.setItem(TOKEN_KEY, token);
  return { token, principal, client };
}

/** The token this tab signed in with before (a reload), checked again; anonymous when there is none. */
export function restoreSession(): Promise<Session> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? signInWith(token) : Promise.resolve(anonymousSession());
}

/** Forgets the tab's token: anonymous from now on. */
export function forgetSession(): Session {
  sessionStorage.removeItem(TOKEN_KEY);
  return anonymousSession();
}

/** No token: what anyone may read. */
export function anonymousSession(): Session {
  return { token: null, principal: null, client: clientFor(null) };
}

/** Whether the session's token may move this remote's tags: the admin's, or a publish token for it. */
export function canWrite(session: Session, remote: string): boolean {
  const { principal } = session;
  return principal?.role === 'admin' || (principal?.role === 'publish' && principal.remote === remote);
}

/** What the sign-in status says about the session. */
export function describeSession(session: Session, readsNeedToken: boolean): { role: string; text: string } {
  const role = session.principal?.role ?? 'none';
  const remote = session.principal?.remote;
  const text = {
    admin: 'Signed in as admin',
    publish: `Signed in with a publish token for ${remote}: it can move ${remote}'s tags only`,
    read: 'Signed in with a read token: it cannot move tags (that needs the admin token, or a publish token for the remote)',
    anonymous: 'Read-only',
    none: readsNeedToken ? 'Sign in to read this registry' : 'Read-only',
  }[role];
  return { role, text };
}

// --- internal ---

function clientFor(token: string | null): RegistryClient {
  return createRegistryClient({ url: REGISTRY, token: token ?? undefined, hints: HINTS });
}

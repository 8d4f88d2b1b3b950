// The registry dashboard: every remote, its tags, releases, consumers and audit log, kept live
// from the event stream; tag moves and rollbacks for a signed-in user who may make them. Every
// call goes through the one registry client (@modmesh/api), with the token signed in with.
import {
  type Consumer,
  createRegistryClient,
  type EventStream,
  type RegistryClient,
  type RegistryStreamEvent,
  type RemoteSummary,
  type WhoamiAnswer,
} from '@modmesh/api';
import { isModmeshError, ModmeshError } from '@modmesh/manifest/errors';
import type { ConsumerRow, DashboardContext } from './context.js';
import { byId, emptyState, h, refreshTimes, replace, versionText } from './dom.js';
import { connectLive, setLiveStatus } from './live.js';
import { backgroundSucceeded, clearError, showError, showNotice } from './notices.js';
import { createRemoteView, type RemoteView } from './remote.js';

// The page talks to the registry that served it.
const REGISTRY = location.origin;
// The token lives for this browser tab only: never localStorage, never a cookie.
const TOKEN_KEY = 'modmesh.token';
// Consumers have no events: they are polled.
const CONSUMER_POLL_MS = 5000;
const TIME_REFRESH_MS = 15_000;
const RELOAD_RETRY_MS = 5000;
// Audit entries fetched per remote; fewer back means the page has the whole history.
const HISTORY_LIMIT = 200;
// What to do about a registry that does not answer, in the page's terms.
const HINTS = {
  MODMESH_REMOTE_UNREACHABLE: 'Check that the registry is running; the page retries on its own.',
  MODMESH_REMOTE_TIMEOUT: 'The registry is slow to answer; the page retries on its own.',
};

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** What the token may do (`/v1/whoami`), once it was checked. */
  principal: null as WhoamiAnswer | null,
  readsNeedToken: false,
  views: new Map<string, RemoteView>(),
  live: null as EventStream | null,
  consumersFailing: false,
  generation: 0,
};
let client = clientFor(state.token);
const refreshes = new Map<string, { again: boolean; done: Promise<void> }>();
const running = { consumers: false, remoteList: false };
const ctx: DashboardContext = { client: () => client, canWrite, showError, clearError, refresh: refreshRemote };

void boot();

async function boot(): Promise<void> {
  byId('registry-host').textContent = location.host;
  // Never submitted to anywhere (the CSP has form-action 'none'): a form only so Enter signs in.
  byId('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn();
  });
  byId('admin-sign-out').addEventListener('click', () => void signOut());
  setInterval(() => refreshTimes(), TIME_REFRESH_MS);
  setInterval(() => void pollConsumers(), CONSUMER_POLL_MS);
  document.addEventListener('visibilitychange', () => document.hidden || void pollConsumers());

  if (state.token) {
    try {
      state.principal = await client.whoami();
    } catch (error) {
      forgetToken();
      showError(error, 'Signing in with the token saved in this tab');
    }
  }
  renderSignIn();
  await loadAll();
}

// --- signing in ---

function clientFor(token: string | null): RegistryClient {
  return createRegistryClient({ url: REGISTRY, token: token ?? undefined, hints: HINTS });
}

async function signIn(): Promise<void> {
  const input = byId<HTMLInputElement>('admin-token');
  const button = byId<HTMLButtonElement>('admin-sign-in');
  const token = input.value.trim();
  if (!token) {
    showError(
      new ModmeshError('MODMESH_AUTH_REQUIRED', 'type a token first', { hint: 'The admin token is in <data dir>/admin-token on the registry host.' }),
      'Signing in',
    );
    input.focus();
    return;
  }
  button.disabled = true;
  try {
    const signedIn = clientFor(token);
    state.principal = await signedIn.whoami();
    state.token = token;
    client = signedIn;
    sessionStorage.setItem(TOKEN_KEY, token);
    input.value = '';
    clearError();
    renderSignIn();
    await loadAll();
  } catch (error) {
    showError(error, 'Signing in');
  } finally {
    button.disabled = false;
  }
}

async function signOut(): Promise<void> {
  forgetToken();
  clearError();
  renderSignIn();
  await loadAll();
}

function forgetToken(): void {
  state.token = null;
  state.principal = null;
  client = clientFor(null);
  sessionStorage.removeItem(TOKEN_KEY);
}

function canWrite(remote: string): boolean {
  const role = state.principal?.role;
  return role === 'admin' || (role === 'publish' && state.principal?.remote === remote);
}

function renderSignIn(): void {
  const { principal } = state;
  byId('signin-form').hidden = principal !== null;
  byId('admin-sign-out').hidden = principal === null;
  byId<HTMLInputElement>('admin-token').placeholder = state.readsNeedToken ? 'Token' : 'Admin token';
  const status = byId('admin-status');
  const role = principal?.role ?? 'none';
  status.className = `signin-status role-${role}`;
  const remote = principal?.remote;
  status.textContent = {
    admin: 'Signed in as admin',
    publish: `Signed in with a publish token for ${remote}: it can move ${remote}'s tags only`,
    read: 'Signed in with a read token: it cannot move tags (that needs the admin token, or a publish token for the remote)',
    anonymous: 'Read-only',
    none: state.readsNeedToken ? 'Sign in to read this registry' : 'Read-only',
  }[role];
  for (const view of state.views.values()) view.rerender();
}

// --- loading ---

async function loadAll(): Promise<void> {
  // Signing in or out while a load runs starts another: only the newest one goes on.
  const generation = ++state.generation;
  state.live?.close();
  state.live = null;
  let remotes: RemoteSummary[];
  try {
    ({ remotes } = await client.remotes());
  } catch (error) {
    if (generation !== state.generation) return;
    if (isModmeshError(error) && error.code === 'MODMESH_AUTH_REQUIRED' && !state.token) {
      state.readsNeedToken = true;
      renderSignIn();
      showNotice('This registry needs a token for reads. Sign in with a read, publish or admin token to see its remotes.');
      clearRemotes();
      setLiveStatus('refused');
      return;
    }
    showError(error, 'Loading the remotes', { background: true });
    setTimeout(() => state.views.size === 0 && void loadAll(), RELOAD_RETRY_MS);
    return;
  }
  if (generation !== state.generation) return;
  showNotice(null);
  addRemotes(remotes);
  await Promise.all([...state.views.keys()].map(refreshRemote));
  if (generation !== state.generation) return;
  void pollConsumers();
  state.live = connectLive({ url: REGISTRY, token: state.token, onEvent, onResumed: () => void resync() });
}

function addRemotes(remotes: RemoteSummary[]): void {
  const container = byId('remotes');
  if (state.views.size === 0) container.replaceChildren();
  for (const { name } of remotes) {
    if (state.views.has(name)) continue;
    const view = createRemoteView(name, ctx);
    state.views.set(name, view);
    // In name order, where a new remote belongs.
    const next = [...state.views.keys()].sort().find((other) => other > name);
    container.insertBefore(view.element, next ? (state.views.get(next)?.element ?? null) : null);
  }
  if (state.views.size === 0) {
    replace(container, emptyState('No remotes yet. Publish one with `modmesh publish`; it appears here as soon as it is published.'));
  }
  renderIndex();
}

function clearRemotes(): void {
  state.views.clear();
  byId('remotes').replaceChildren();
  renderIndex();
}

/** Loads a remote's releases, tags and audit log. Calls while one runs are folded into one more run after it. */
function refreshRemote(name: string): Promise<void> {
  const underway = refreshes.get(name);
  if (underway) {
    underway.again = true;
    return underway.done;
  }
  const job = { again: true, done: Promise.resolve() };
  job.done = (async function refreshLoop() {
    try {
      while (job.again) {
        job.again = false;
        await loadRemote(name);
      }
    } catch (error) {
      showError(error, `Loading ${name}`, { background: true });
    } finally {
      refreshes.delete(name);
    }
  })();
  refreshes.set(name, job);
  return job.done;
}

async function loadRemote(name: string): Promise<void> {
  const view = state.views.get(name);
  if (!view) return;
  const [detail, { history }] = await Promise.all([client.remote(name), client.history(name, undefined, HISTORY_LIMIT)]);
  view.setData({ versions: detail.versions, tags: detail.tags, keys: detail.keys, history, historyComplete: history.length < HISTORY_LIMIT });
  backgroundSucceeded();
  renderIndex();
}

async function pollConsumers(): Promise<void> {
  if (document.hidden || state.views.size === 0 || running.consumers) return;
  running.consumers = true;
  try {
    const { consumers } = await client.consumers();
    for (const [name, view] of state.views) view.setConsumers(consumersOf(consumers, name));
    state.consumersFailing = false;
    backgroundSucceeded();
  } catch (error) {
    // Once, not every 5 s while the registry is away.
    if (!state.consumersFailing) showError(error, 'Loading consumers', { background: true });
    state.consumersFailing = true;
  } finally {
    running.consumers = false;
  }
}

/** One row per consumer running `name`: the release it runs, since when. */
function consumersOf(consumers: Consumer[], name: string): ConsumerRow[] {
  return consumers.flatMap((consumer) =>
    consumer.remotes
      .filter((remote) => remote.name === name)
      .map((remote) => ({
        instanceId: consumer.instanceId,
        service: consumer.service,
        kind: consumer.kind,
        lastSeen: consumer.lastSeen,
        version: remote.version,
        since: remote.since,
      })),
  );
}

// --- live ---

function onEvent(event: RegistryStreamEvent): void {
  const { name } = event.data;
  if (state.views.has(name)) {
    void refreshRemote(name);
    return;
  }
  if (event.type === 'release.published') void refreshRemoteList();
}

async function resync(): Promise<void> {
  await refreshRemoteList();
  await Promise.all([...state.views.keys()].map(refreshRemote));
}

async function refreshRemoteList(): Promise<void> {
  if (running.remoteList) return;
  running.remoteList = true;
  try {
    const { remotes } = await client.remotes();
    const added = remotes.filter(({ name }) => !state.views.has(name));
    addRemotes(remotes);
    await Promise.all(added.map(({ name }) => refreshRemote(name)));
    void pollConsumers();
  } catch (error) {
    showError(error, 'Loading the remotes', { background: true });
  } finally {
    running.remoteList = false;
  }
}

// --- page furniture ---

function renderIndex(): void {
  const index = byId('remote-index');
  index.hidden = state.views.size < 2;
  replace(
    index,
    [...state.views].map(([name, view]) => {
      const headline = view.headline();
      return h('a', { class: 'index-link', href: `#remote-${name}` }, h('span', { class: 'strong' }, name), headline ? versionText(headline) : null);
    }),
  );
}

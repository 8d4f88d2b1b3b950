// The registry dashboard: every remote, its tags, releases, consumers and audit log, kept live
// from the event stream; tag moves and rollbacks for a signed-in user who may make them. Every
// call goes through the one registry client (@modmesh/api), with the token signed in with.
import type { Consumer, EventStream, RegistryStreamEvent, RemoteSummary } from '@modmesh/api';
import { isModmeshError, ModmeshError } from '@modmesh/manifest/errors';
import type { ConsumerRow, DashboardContext } from './context.js';
import { byId, emptyState, h, refreshTimes, replace, versionText } from './dom.js';
import { connectLive, setLiveStatus } from './live.js';
import { backgroundSucceeded, clearError, showError, showNotice } from './notices.js';
import { createRemoteView, type RemoteView } from './remote.js';
import { anonymousSession, canWrite, describeSession, forgetSession, REGISTRY, restoreSession, type Session, signInWith } from './session.js';

// Consumers have no events: they are polled.
const CONSUMER_POLL_MS = 5000;
const TIME_REFRESH_MS = 15_000;
const RELOAD_RETRY_MS = 5000;
// Audit entries fetched per remote; fewer back means the page has the whole history.
const HISTORY_LIMIT = 200;
const state = {
  session: anonymousSession() as Session,
  readsNeedToken: false,
  views: new Map<string, RemoteView>(),
  live: null as EventStream | null,
  consumersFailing: false,
  generation: 0,
};
const refreshes = new Map<string, { again: boolean; done: Promise<void> }>();
const running = { consumers: false, remoteList: false };
const ctx: DashboardContext = {
  client: () => state.session.client,
  canWrite: (remote) => canWrite(state.session, remote),
  showError,
  clearError,
  refresh: refreshRemote,
};

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

  try {
    state.session = await restoreSession();
  } catch (error) {
    state.session = forgetSession();
    showError(error, 'Signing in with the token saved in this tab');
  }
  renderSignIn();
  await loadAll();
}

// --- signing in ---

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
    state.session = await signInWith(token);
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
  state.session = forgetSession();
  clearError();
  renderSignIn();
  await loadAll();
}

function renderSignIn(): void {
  const signedIn = state.session.principal !== null;
  byId('signin-form').hidden = signedIn;
  byId('admin-sign-out').hidden = !signedIn;
  byId<HTMLInputElement>('admin-token').placeholder = state.readsNeedToken ? 'Token' : 'Admin token';
  const { role, text } = describeSession(state.session, state.readsNeedToken);
  const status = byId('admin-status');
  status.className = `signin-status role-${role}`;
  status.textContent = text;
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
    ({ remotes } = await state.session.client.remotes());
  } catch (error) {
    if (generation !== state.generation) return;
    if (isModmeshError(error) && error.code === 'MODMESH_AUTH_REQUIRED' && !state.session.token) {
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
  state.live = connectLive({ url: REGISTRY, token: state.session.token, onEvent, onResumed: () => void resync() });
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
  const [detail, { history }] = await Promise.all([state.session.client.remote(name), state.session.client.history(name, undefined, HISTORY_LIMIT)]);
  view.setData({ versions: detail.versions, tags: detail.tags, keys: detail.keys, history, historyComplete: history.length < HISTORY_LIMIT });
  backgroundSucceeded();
  renderIndex();
}

async function pollConsumers(): Promise<void> {
  if (document.hidden || state.views.size === 0 || running.consumers) return;
  running.consumers = true;
  try {
    const { consumers } = await state.session.client.consumers();
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
  // A new signed timestamp changes no view by itself: the moves and releases it covers have their own events.
  if (event.type === 'tuf.updated') return;
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
    const { remotes } = await state.session.client.remotes();
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

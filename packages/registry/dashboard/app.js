// The registry dashboard: every remote, its tags, releases, consumers and audit log, kept live
// from the event stream; tag moves and rollbacks for a signed-in user who may make them.
import { createApi, path } from './api.js';
import { emptyState, h, refreshTimes, replace, versionText } from './dom.js';
import { connectLive } from './live.js';
import { backgroundSucceeded, clearError, showError, showNotice } from './notices.js';
import { createRemoteView } from './remote.js';

// The token lives for this browser tab only: never localStorage, never a cookie.
const TOKEN_KEY = 'modmesh.token';
// Consumers have no events: they are polled.
const CONSUMER_POLL_MS = 5000;
const TIME_REFRESH_MS = 15_000;
const RELOAD_RETRY_MS = 5000;
// Audit entries fetched per remote; fewer back means the page has the whole history.
const HISTORY_LIMIT = 200;

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  /** `{role, remote?}` from /v1/whoami, once a token was checked. */
  principal: null,
  readsNeedToken: false,
  views: new Map(),
  live: null,
  consumersFailing: false,
  generation: 0,
};
const api = createApi(() => state.token);
const refreshes = new Map();
const ctx = { api, canWrite, showError, clearError, refresh: refreshRemote };

void boot();

async function boot() {
  $('registry-host').textContent = location.host;
  // Never submitted to anywhere (the CSP has form-action 'none'): a form only so Enter signs in.
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn();
  });
  $('admin-sign-out').addEventListener('click', signOut);
  setInterval(() => refreshTimes(), TIME_REFRESH_MS);
  setInterval(pollConsumers, CONSUMER_POLL_MS);
  document.addEventListener('visibilitychange', () => document.hidden || pollConsumers());

  if (state.token) {
    try {
      state.principal = await createApi(() => state.token).get('/v1/whoami');
    } catch (error) {
      forgetToken();
      showError(error, 'Signing in with the token saved in this tab');
    }
  }
  renderSignIn();
  await loadAll();
}

// --- signing in ---

async function signIn() {
  const input = $('admin-token');
  const button = $('admin-sign-in');
  const token = input.value.trim();
  if (!token) {
    showError(
      { code: 'MODMESH_AUTH_REQUIRED', message: 'type a token first', hint: 'The admin token is in <data dir>/admin-token on the registry host.' },
      'Signing in',
    );
    input.focus();
    return;
  }
  button.disabled = true;
  try {
    state.principal = await createApi(() => token).get('/v1/whoami');
    state.token = token;
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

async function signOut() {
  forgetToken();
  clearError();
  renderSignIn();
  await loadAll();
}

function forgetToken() {
  state.token = null;
  state.principal = null;
  sessionStorage.removeItem(TOKEN_KEY);
}

function canWrite(remote) {
  const role = state.principal?.role;
  return role === 'admin' || (role === 'publish' && state.principal.remote === remote);
}

function renderSignIn() {
  const signedIn = state.principal !== null;
  $('signin-form').hidden = signedIn;
  $('admin-sign-out').hidden = !signedIn;
  $('admin-token').placeholder = state.readsNeedToken ? 'Token' : 'Admin token';
  const status = $('admin-status');
  const role = state.principal?.role ?? 'none';
  status.className = `signin-status role-${role}`;
  const remote = state.principal?.remote;
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

async function loadAll() {
  // Signing in or out while a load runs starts another: only the newest one goes on.
  const generation = ++state.generation;
  state.live?.close();
  state.live = null;
  let remotes;
  try {
    ({ remotes } = await api.get('/v1/remotes'));
  } catch (error) {
    if (generation !== state.generation) return;
    if (error.code === 'MODMESH_AUTH_REQUIRED' && !state.token) {
      state.readsNeedToken = true;
      renderSignIn();
      showNotice('This registry needs a token for reads. Sign in with a read, publish or admin token to see its remotes.');
      clearRemotes();
      setLiveStatus('refused');
      return;
    }
    showError(error, 'Loading the remotes', { background: true });
    setTimeout(() => state.views.size === 0 && loadAll(), RELOAD_RETRY_MS);
    return;
  }
  if (generation !== state.generation) return;
  showNotice(null);
  addRemotes(remotes);
  await Promise.all([...state.views.keys()].map(refreshRemote));
  if (generation !== state.generation) return;
  void pollConsumers();
  state.live = connectLive({ token: state.token, tokenFirst: state.readsNeedToken, onEvent, onStatus: setLiveStatus });
}

function addRemotes(remotes) {
  const container = $('remotes');
  if (state.views.size === 0) container.replaceChildren();
  for (const { name } of remotes) {
    if (state.views.has(name)) continue;
    const view = createRemoteView(name, ctx);
    state.views.set(name, view);
    // In name order, where a new remote belongs.
    const next = [...state.views.keys()].sort().find((other) => other > name);
    container.insertBefore(view.element, next ? state.views.get(next).element : null);
  }
  if (state.views.size === 0) {
    replace(container, emptyState('No remotes yet. Publish one with `modmesh publish`; it appears here as soon as it is published.'));
  }
  renderIndex();
}

function clearRemotes() {
  state.views.clear();
  $('remotes').replaceChildren();
  renderIndex();
}

/** Loads a remote's releases, tags and audit log. Calls while one runs are folded into one more run after it. */
function refreshRemote(name) {
  const running = refreshes.get(name);
  if (running) {
    running.again = true;
    return running.done;
  }
  const job = { again: true };
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

async function loadRemote(name) {
  const view = state.views.get(name);
  if (!view) return;
  const [detail, { history }] = await Promise.all([
    api.get(path('v1', 'remotes', name)),
    api.get(`${path('v1', 'remotes', name, 'history')}?limit=${HISTORY_LIMIT}`),
  ]);
  view.setData({ versions: detail.versions, tags: detail.tags, keys: detail.keys, history, historyComplete: history.length < HISTORY_LIMIT });
  backgroundSucceeded();
  renderIndex();
}

async function pollConsumers() {
  if (document.hidden || state.views.size === 0 || pollConsumers.running) return;
  pollConsumers.running = true;
  try {
    const { consumers } = await api.get('/v1/consumers');
    for (const [name, view] of state.views) view.setConsumers(consumersOf(consumers, name));
    state.consumersFailing = false;
    backgroundSucceeded();
  } catch (error) {
    // Once, not every 5 s while the registry is away.
    if (!state.consumersFailing) showError(error, 'Loading consumers', { background: true });
    state.consumersFailing = true;
  } finally {
    pollConsumers.running = false;
  }
}

/** One row per consumer running `name`: the release it runs, since when. */
function consumersOf(consumers, name) {
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

function onEvent(type, data) {
  const name = data?.name;
  if (typeof name !== 'string') return;
  if (state.views.has(name)) {
    void refreshRemote(name);
    return;
  }
  if (type === 'release.published') void refreshRemoteList();
}

async function resync() {
  await refreshRemoteList();
  await Promise.all([...state.views.keys()].map(refreshRemote));
}

async function refreshRemoteList() {
  if (refreshRemoteList.running) return;
  refreshRemoteList.running = true;
  try {
    const { remotes } = await api.get('/v1/remotes');
    const added = remotes.filter(({ name }) => !state.views.has(name));
    addRemotes(remotes);
    await Promise.all(added.map(({ name }) => refreshRemote(name)));
    void pollConsumers();
  } catch (error) {
    showError(error, 'Loading the remotes', { background: true });
  } finally {
    refreshRemoteList.running = false;
  }
}

const LIVE_STATUS = {
  connecting: ['connecting…', 'Connecting to the registry’s event stream'],
  live: ['live', 'Changes show here as they happen'],
  reconnecting: ['reconnecting…', 'The event stream dropped; reconnecting and catching up on what was missed'],
  refused: ['offline', 'The registry refused the event stream: sign in with a token to follow changes'],
};

function setLiveStatus(status) {
  const element = $('events-status');
  // Back after a drop: the stream replays what was missed, but a registry that restarted onto
  // other data would not; one full refresh settles it.
  if (status === 'live' && element.classList.contains('live-reconnecting')) void resync();
  const [text, title] = LIVE_STATUS[status];
  element.textContent = text;
  element.title = title;
  element.className = `live live-${status}`;
}

// --- page furniture ---

function renderIndex() {
  const index = $('remote-index');
  index.hidden = state.views.size < 2;
  replace(
    index,
    [...state.views].map(([name, view]) => {
      const headline = view.headline();
      return h('a', { class: 'index-link', href: `#remote-${name}` }, h('span', { class: 'strong' }, name), headline ? versionText(headline) : null);
    }),
  );
}

import type { BrowserMesh } from '@modmesh/runtime/browser';
import * as React from 'react';
import type { Activity, ActivityEntry } from './activity.js';
import { RemoteSlot } from './RemoteSlot.js';

export interface ShellConfig {
  registry: string;
  remotes: { auth: string; user: string };
}

interface Session {
  token: string;
  username: string;
}

interface LoginFormModule {
  default: React.ComponentType<{ onLogin: (session: Session & { expiresIn: number }) => void; endpoint?: string }>;
}

interface ProfileCardModule {
  default: React.ComponentType<{ token: string; endpoint?: string; onSignOut?: () => void }>;
}

// How often the header re-reads the mesh's status (versions, event stream).
const STATUS_REFRESH_MS = 1000;
// What a remote's pill says before a release of it runs.
const PENDING = { idle: 'on demand', loading: 'loading…', failed: 'unavailable', ready: '' } as const;

/** The main application: one slot per service's UI module, composed at run time. */
export function App({ mesh, activity, config }: { mesh: BrowserMesh; activity: Activity; config: ShellConfig }): React.ReactElement {
  const [session, setSession] = React.useState<Session | undefined>();
  const status = useMeshStatus(mesh);
  const entries = React.useSyncExternalStore(activity.subscribe, activity.entries);

  return (
    <div className="page">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◆
          </span>
          <div>
            <h1>Acme Workspace</h1>
            <p>The main application, composed at run time from the services' modules</p>
          </div>
        </div>
        <nav className="remotes" aria-label="Remote modules">
          {Object.entries(status.remotes).map(([alias, remote]) => (
            <span key={alias} className={`pill ${remote.state}`} data-testid={`remote-version-${alias}`} title={`${remote.name}@${remote.spec}`}>
              <span className="dot" aria-hidden="true" />
              {remote.name} {remote.version ?? PENDING[remote.state]}
            </span>
          ))}
          <span className={`pill events ${status.events}`} data-testid="events-status" title={`Following ${config.registry}`}>
            {status.events === 'connected' ? 'live' : status.events === 'connecting' ? 'reconnecting' : 'off'}
          </span>
        </nav>
      </header>

      <main className="grid">
        <section className="card" aria-labelledby="account-heading" data-testid="slot-auth">
          <h2 id="account-heading" className="card-label">
            Account <span className="from">from auth service</span>
          </h2>
          {session ? (
            <div className="signed-in" data-testid="signed-in">
              <p>
                Signed in as <strong>{session.username}</strong>
              </p>
              <button type="button" className="button secondary" onClick={() => setSession(undefined)}>
                Sign out
              </button>
            </div>
          ) : (
            <RemoteSlot<LoginFormModule>
              mesh={mesh}
              id="auth/LoginForm"
              unavailableTitle="Sign-in is unavailable right now"
              onRenderError={(problem) => activity.problem('auth', problem)}
              render={({ default: LoginForm }) => <LoginForm onLogin={({ token, username }) => setSession({ token, username })} />}
            />
          )}
        </section>

        <section className="card" aria-labelledby="profile-heading" data-testid="slot-user">
          <h2 id="profile-heading" className="card-label">
            Profile <span className="from">from user service</span>
          </h2>
          {session ? (
            <RemoteSlot<ProfileCardModule>
              mesh={mesh}
              id="user/ProfileCard"
              unavailableTitle="Your profile is unavailable right now"
              onRenderError={(problem) => activity.problem('user', problem)}
              render={({ default: ProfileCard }) => <ProfileCard token={session.token} onSignOut={() => setSession(undefined)} />}
            />
          ) : (
            <p className="empty" data-testid="profile-placeholder">
              Sign in to see your profile.
            </p>
          )}
        </section>
      </main>

      <section className="card activity" aria-labelledby="activity-heading">
        <h2 id="activity-heading" className="card-label">
          Module activity
        </h2>
        {entries.length === 0 ? (
          <p className="empty">Nothing loaded yet.</p>
        ) : (
          <ol className="activity-list" data-testid="activity">
            {entries.map((entry) => (
              <ActivityRow key={entry.id} entry={entry} />
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

// --- internal ---

function ActivityRow({ entry }: { entry: ActivityEntry }): React.ReactElement {
  return (
    <li className={`activity-row ${entry.tone}`} data-testid="activity-entry">
      <time dateTime={entry.at.toISOString()}>{clockTime(entry.at)}</time>
      <span className="badge">{entry.remote}</span>
      <span className="text">{entry.text}</span>
      {entry.code && <code className="code">{entry.code}</code>}
    </li>
  );
}

// hh:mm:ss of the page's clock. Not toLocaleTimeString: the first use of Intl's date formats
// costs the page milliseconds, and the first entry is written as the first module arrives.
function clockTime(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

function useMeshStatus(mesh: BrowserMesh): ReturnType<BrowserMesh['status']> {
  const [status, setStatus] = React.useState(() => mesh.status());
  React.useEffect(() => {
    const timer = setInterval(() => setStatus(mesh.status()), STATUS_REFRESH_MS);
    const unsubscribers = Object.keys(mesh.status().remotes).map((alias) => mesh.subscribe(alias, () => setStatus(mesh.status())));
    return () => {
      clearInterval(timer);
      for (const unsubscribe of unsubscribers) unsubscribe();
    };
  }, [mesh]);
  return status;
}

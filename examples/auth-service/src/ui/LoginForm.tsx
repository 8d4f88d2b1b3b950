// The auth service's login form, exposed to browser pages as `auth/LoginForm`. It posts to the
// auth service's POST /login (through the page's API gateway) and hands the token to the page.
import * as React from 'react';

declare const __LOGIN_TITLE__: string;
declare const __LOGIN_ACCENT__: string;

export interface Session {
  token: string;
  username: string;
  /** Seconds the token stays valid. */
  expiresIn: number;
}

export interface LoginFormProps {
  /** Told once the auth service accepted the credentials. */
  onLogin: (session: Session) => void;
  /** Where POST /login is reachable from the page. @default "/api/auth/login" */
  endpoint?: string;
}

export default function LoginForm({ onLogin, endpoint = '/api/auth/login' }: LoginFormProps): React.ReactElement {
  const [username, setUsername] = React.useState('');
  const [password, setPassword] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const [problem, setProblem] = React.useState<{ code: string; message: string } | undefined>();

  async function submit(event: React.FormEvent<HTMLFormElement>): Promise<void> {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      const body = (await response.json().catch(() => ({}))) as { token?: string; expiresIn?: number; error?: { code?: string; message?: string } };
      if (!response.ok || typeof body.token !== 'string') {
        setProblem({ code: body.error?.code ?? `HTTP_${response.status}`, message: body.error?.message ?? 'The auth service did not accept the request.' });
        return;
      }
      setPassword('');
      onLogin({ token: body.token, username, expiresIn: body.expiresIn ?? 0 });
    } catch {
      setProblem({ code: 'AUTH_UNREACHABLE', message: 'The auth service could not be reached. Try again in a moment.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} style={styles.form} data-testid="login-form" aria-label="Sign in">
      <h2 style={styles.title} data-testid="login-title">
        {__LOGIN_TITLE__}
      </h2>
      <p style={styles.subtitle}>Use your company account. The demo user is alice / wonderland.</p>
      <label style={styles.label}>
        Username
        <input
          style={styles.input}
          name="username"
          autoComplete="username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          required
          data-testid="login-username"
        />
      </label>
      <label style={styles.label}>
        Password
        <input
          style={styles.input}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
          data-testid="login-password"
        />
      </label>
      {problem && (
        <p role="alert" style={styles.problem} data-testid="login-error">
          <strong>{problem.message}</strong> <code style={styles.code}>{problem.code}</code>
        </p>
      )}
      <button type="submit" disabled={busy} style={{ ...styles.button, opacity: busy ? 0.7 : 1 }} data-testid="login-submit">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

// --- internal ---

const styles = {
  form: { display: 'flex', flexDirection: 'column', gap: 14 },
  title: { margin: 0, fontSize: 22, fontWeight: 650, color: '#111827' },
  subtitle: { margin: '-6px 0 4px', fontSize: 14, color: '#6b7280' },
  label: { display: 'flex', flexDirection: 'column', gap: 6, fontSize: 13, fontWeight: 600, color: '#374151' },
  input: {
    font: 'inherit',
    fontSize: 15,
    fontWeight: 400,
    padding: '10px 12px',
    border: '1px solid #d1d5db',
    borderRadius: 8,
    outlineColor: __LOGIN_ACCENT__,
  },
  problem: { margin: 0, padding: '10px 12px', borderRadius: 8, background: '#fef2f2', color: '#991b1b', fontSize: 14 },
  code: { fontSize: 12, color: '#b91c1c' },
  button: {
    font: 'inherit',
    fontSize: 15,
    fontWeight: 600,
    padding: '11px 14px',
    border: 'none',
    borderRadius: 8,
    background: __LOGIN_ACCENT__,
    color: 'white',
    cursor: 'pointer',
  },
} satisfies Record<string, React.CSSProperties>;

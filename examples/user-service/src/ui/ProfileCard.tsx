// The user service's profile card, exposed to browser pages as `user/ProfileCard`. It calls the
// user service's GET /profile (through the page's API gateway) with the signed-in user's token.
import * as React from 'react';

export interface ProfileCardProps {
  /** The bearer token from the auth service's login. */
  token: string;
  /** Where GET /profile is reachable from the page. @default "/api/user/profile" */
  endpoint?: string;
  /** Offered as "Sign in again" when the user service no longer accepts the token. */
  onSignOut?: () => void;
}

interface Profile {
  message: string;
  user: { sub: string; username: string; name?: string; email?: string; exp?: number; iat?: number };
}

/** Thrown while rendering when the user service cannot answer: the page's slot shows its fallback. */
export class ProfileUnavailableError extends Error {
  override readonly name = 'ProfileUnavailableError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export default function ProfileCard({ token, endpoint = '/api/user/profile', onSignOut }: ProfileCardProps): React.ReactElement {
  const [profile, setProfile] = React.useState<Profile | undefined>();
  const [refused, setRefused] = React.useState<{ code: string; message: string } | undefined>();
  const [failure, setFailure] = React.useState<ProfileUnavailableError | undefined>();

  React.useEffect(() => {
    const controller = new AbortController();
    setProfile(undefined);
    setRefused(undefined);
    fetchProfile(endpoint, token, controller.signal).then(
      (result) => {
        if ('profile' in result) setProfile(result.profile);
        else setRefused(result.refused);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setFailure(error as ProfileUnavailableError);
      },
    );
    return () => controller.abort();
  }, [endpoint, token]);

  // Outside the effect, so the page's error boundary (its fallback for this slot) sees it.
  if (failure) throw failure;

  if (refused) {
    return (
      <section style={styles.card} data-testid="profile-card">
        <p role="alert" style={styles.refused}>
          {refused.message} <code>{refused.code}</code>
        </p>
        {onSignOut && (
          <button type="button" style={styles.secondary} onClick={onSignOut}>
            Sign in again
          </button>
        )}
      </section>
    );
  }
  if (!profile) {
    return (
      <section style={styles.card} data-testid="profile-card" aria-busy="true">
        <div style={styles.skeletonRow} />
        <div style={{ ...styles.skeletonRow, width: '60%' }} />
      </section>
    );
  }
  const { user } = profile;
  const displayName = user.name ?? user.username;
  return (
    <section style={styles.card} data-testid="profile-card">
      <header style={styles.header}>
        <div style={styles.avatar} aria-hidden="true">
          {initials(displayName)}
        </div>
        <div>
          <h2 style={styles.name} data-testid="profile-name">
            {displayName}
          </h2>
          <p style={styles.muted}>@{user.username}</p>
        </div>
      </header>
      <p style={styles.message}>{profile.message}</p>
      <dl style={styles.facts}>
        {user.email && <Fact label="Email" value={user.email} />}
        <Fact label="User id" value={user.sub} />
        {user.exp && <Fact label="Session ends" value={new Date(user.exp * 1000).toLocaleTimeString()} />}
      </dl>
    </section>
  );
}

// --- internal ---

// 401 and 403 are answers about the token, shown in the card; anything else means the user
// service is not there to answer, which the page's fallback shows.
async function fetchProfile(
  endpoint: string,
  token: string,
  signal: AbortSignal,
): Promise<{ profile: Profile } | { refused: { code: string; message: string } }> {
  let response: Response;
  try {
    response = await fetch(endpoint, { headers: { authorization: `Bearer ${token}` }, signal });
  } catch {
    throw new ProfileUnavailableError('USER_SERVICE_UNREACHABLE', 'The user service could not be reached.');
  }
  const body = (await response.json().catch(() => undefined)) as (Profile & { error?: { code?: string; message?: string } }) | undefined;
  if (response.status === 401 || response.status === 403) {
    return { refused: { code: body?.error?.code ?? `HTTP_${response.status}`, message: body?.error?.message ?? 'Your session is no longer valid.' } };
  }
  if (!response.ok || !body?.user) {
    throw new ProfileUnavailableError(
      body?.error?.code ?? `HTTP_${response.status}`,
      body?.error?.message ?? `The user service answered HTTP ${response.status}.`,
    );
  }
  return { profile: body };
}

function Fact({ label, value }: { label: string; value: string }): React.ReactElement {
  return (
    <div style={styles.fact}>
      <dt style={styles.factLabel}>{label}</dt>
      <dd style={styles.factValue}>{value}</dd>
    </div>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase() ?? '')
    .join('');
}

const styles = {
  card: { display: 'flex', flexDirection: 'column', gap: 16 },
  header: { display: 'flex', alignItems: 'center', gap: 14 },
  avatar: {
    width: 52,
    height: 52,
    borderRadius: '50%',
    background: 'linear-gradient(135deg, #0ea5e9, #6366f1)',
    color: 'white',
    display: 'grid',
    placeItems: 'center',
    fontWeight: 700,
    fontSize: 18,
  },
  name: { margin: 0, fontSize: 20, fontWeight: 650, color: '#111827' },
  muted: { margin: '2px 0 0', fontSize: 14, color: '#6b7280' },
  message: { margin: 0, fontSize: 15, color: '#374151' },
  facts: { margin: 0, display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(160px, 1fr))', gap: 12 },
  fact: { padding: '10px 12px', background: '#f9fafb', borderRadius: 8, border: '1px solid #f3f4f6' },
  factLabel: { fontSize: 12, fontWeight: 600, color: '#6b7280', textTransform: 'uppercase', letterSpacing: '0.04em' },
  factValue: { margin: '4px 0 0', fontSize: 14, color: '#111827', overflowWrap: 'anywhere' },
  refused: { margin: 0, padding: '10px 12px', borderRadius: 8, background: '#fffbeb', color: '#92400e', fontSize: 14 },
  secondary: {
    alignSelf: 'flex-start',
    font: 'inherit',
    fontSize: 14,
    fontWeight: 600,
    padding: '8px 12px',
    borderRadius: 8,
    border: '1px solid #d1d5db',
    background: 'white',
    color: '#374151',
    cursor: 'pointer',
  },
  skeletonRow: { height: 16, borderRadius: 6, background: '#f3f4f6' },
} satisfies Record<string, React.CSSProperties>;

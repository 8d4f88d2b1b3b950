import { scryptSync, timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  sub: string;
  username: string;
  name: string;
  email: string;
}

interface StoredUser extends DemoUser {
  salt: string;
  passwordHash: string;
}

// The one demo account of the example. Its password is stored only as a scrypt hash (of
// "wonderland"), the way a real user store would keep it.
const USERS: readonly StoredUser[] = [
  {
    sub: 'user-1',
    username: 'alice',
    name: 'Alice Liddell',
    email: 'alice@example.com',
    salt: 'f3a1c8d27e5b4096',
    passwordHash: 'dddb9f1177cd5aac42b0fdb806cbab5f4c1a1223337260f12b4f70f4dabda156',
  },
];

const KEY_LENGTH = 32;

// Compared against when the username is unknown, so a wrong username costs the same scrypt
// work as a wrong password and response times do not reveal which accounts exist.
const DECOY = { salt: '0000000000000000', passwordHash: '0'.repeat(KEY_LENGTH * 2) };

/** The user whose password matches, or `undefined`. */
export function authenticate(username: string, password: string): DemoUser | undefined {
  const user = USERS.find((candidate) => candidate.username === username);
  const { salt, passwordHash } = user ?? DECOY;
  const expected = Buffer.from(passwordHash, 'hex');
  const actual = scryptSync(password, salt, KEY_LENGTH);
  if (!timingSafeEqual(expected, actual) || !user) return undefined;
  const { salt: _salt, passwordHash: _hash, ...profile } = user;
  return profile;
}

// A pentester's first tries against the seeds' system, as real processes: forged, altered and
// malformed tokens at the user service's GET /profile (which runs the auth service's federated
// validator, verified from the registry), and a password brute force at the auth service's
// POST /login. Each is refused with its code, the genuine token keeps working, and nothing
// crashes.
import { createHmac, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requestJson, stopAllServices } from '@modmesh/test-utils';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type MeshSystem, startMeshSystem } from './mesh-system.js';
import { createTally } from './tally.js';

const ISSUER = 'modmesh-example-auth';
const AUDIENCE = 'modmesh-example-api';
/** What the seed's user service answers for a token its validator refuses. */
const REFUSED = { status: 403, code: 'AUTH_TOKEN_INVALID' };

interface Attack {
  name: string;
  token: string;
  expect: { status: number; code: string; reason?: string };
}

const authBuild = inject('authBuild');
let system: MeshSystem;
let jwk: { kid: string; [field: string]: unknown };

beforeAll(async () => {
  system = await startMeshSystem({ work: mkdtempSync(path.join(os.tmpdir(), 'modmesh-chaos-jwt-')), authBuild });
  const { body } = await requestJson<{ keys: { kid: string }[] }>(`${system.auth.url}/.well-known/jwks.json`);
  jwk = body.keys[0] as typeof jwk;
});
afterAll(async () => {
  await system?.proxy.close();
  await stopAllServices();
});

describe('tokens a pentester tries first, at GET /profile', () => {
  it('refuses every one with its code, and still serves the genuine token', async () => {
    const tally = createTally('JWT attacks on the user service');
    const attacks = craftAttacks();
    for (const attack of attacks) {
      tally.trial();
      const answer = await profile(attack.token).catch((error: Error) => ({
        status: 0,
        body: { error: { code: `no answer: ${error.cause ?? error}` } } as ErrorBody,
      }));
      tally.requests(1);
      const got = { status: answer.status, code: answer.body.error?.code, ...(attack.expect.reason && { reason: answer.body.error?.reason }) };
      tally.check(
        JSON.stringify(got) === JSON.stringify(attack.expect),
        `${attack.name}: got ${JSON.stringify(got)}, expected ${JSON.stringify(attack.expect)}`,
      );
    }
    const genuine = await profile(system.token);
    const health = await requestJson(`${system.user.url}/health`);
    tally.requests(2);
    tally.check(genuine.status === 200 && genuine.body.user?.username === 'alice', `the genuine token after the attacks: HTTP ${genuine.status}`);
    tally.check(health.status === 200, `the user service's /health after the attacks: HTTP ${health.status}`);
    tally.record();
    expect(tally.problems).toEqual([]);
  });
});

describe('a password brute force, at POST /login', () => {
  it('locks the username after 5 wrong passwords with 429 AUTH_RATE_LIMITED and Retry-After, even for the right password', async () => {
    const tally = createTally('password brute force on /login');
    const attempts = [...Array.from({ length: 30 }, (_, guess) => `guess-${guess}`), 'wonderland'];
    const answers = [];
    for (const password of attempts) {
      tally.trial();
      answers.push(await requestJson<ErrorBody & { token?: string }>(`${system.auth.url}/login`, { method: 'POST', json: { username: 'alice', password } }));
    }
    tally.requests(answers.length);
    const seen = answers.map((answer) => `${answer.status} ${answer.body.error?.code}`);
    const expected = [...Array(5).fill('401 AUTH_INVALID_CREDENTIALS'), ...Array(attempts.length - 5).fill('429 AUTH_RATE_LIMITED')];
    for (const [index, status] of seen.entries()) tally.check(status === expected[index], `attempt ${index + 1}: ${status}, expected ${expected[index]}`);
    tally.check(
      answers.every((answer) => answer.body.token === undefined),
      'a token was issued during the brute force',
    );
    const retryAfter = Number(answers.at(-1)?.headers.get('retry-after'));
    tally.check(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After is ${retryAfter}`);
    tally.record();
    expect(tally.problems).toEqual([]);
  });
});

// --- internal ---

type ErrorBody = { error?: { code: string; reason?: string; message: string } };

function profile(token: string) {
  return requestJson<ErrorBody & { user?: { username: string } }>(`${system.user.url}/profile`, { headers: { authorization: `Bearer ${token}` } });
}

function craftAttacks(): Attack[] {
  const now = Math.floor(Date.now() / 1000);
  const claims = { username: 'alice', sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 600 };
  const admin = { ...claims, username: 'admin', sub: 'user-0' };
  const [header, , signature] = system.token.split('.');
  const publicPem = publicKeyPemOf(jwk);
  const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const refused = (reason: string) => ({ ...REFUSED, reason });
  return [
    { name: 'HS256 signed with the public key PEM as the secret', token: hmac(claims, publicPem), expect: refused('TOKEN_ALGORITHM_REFUSED') },
    { name: 'HS256 signed with the JWK as the secret', token: hmac(claims, JSON.stringify(jwk)), expect: refused('TOKEN_ALGORITHM_REFUSED') },
    ...['none', 'None', 'NONE'].map((alg) => ({
      name: `alg: ${alg}`,
      token: `${segment({ alg, typ: 'JWT', kid: jwk.kid })}.${segment(admin)}.`,
      expect: refused('TOKEN_ALGORITHM_REFUSED'),
    })),
    { name: 'expired an hour ago', token: signed({ ...claims, iat: now - 7200, exp: now - 3600 }), expect: refused('TOKEN_EXPIRED') },
    { name: 'not valid for another hour (nbf)', token: signed({ ...claims, nbf: now + 3600 }), expect: refused('TOKEN_NOT_YET_VALID') },
    { name: 'another issuer', token: signed({ ...claims, iss: 'evil-issuer' }), expect: refused('TOKEN_CLAIMS_INVALID') },
    { name: 'another audience', token: signed({ ...claims, aud: 'another-api' }), expect: refused('TOKEN_CLAIMS_INVALID') },
    {
      name: 'no expiry at all',
      token: signed({ username: 'alice', sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now }),
      expect: refused('TOKEN_CLAIMS_INVALID'),
    },
    { name: "alice's token with its payload changed to admin", token: `${header}.${segment(admin)}.${signature}`, expect: refused('TOKEN_SIGNATURE_INVALID') },
    { name: "alice's token with its signature cut off", token: `${header}.${system.token.split('.')[1]}.`, expect: refused('TOKEN_SIGNATURE_INVALID') },
    { name: "another ES256 key, claiming the service's kid", token: signed(admin, stranger, jwk.kid), expect: refused('TOKEN_SIGNATURE_INVALID') },
    { name: 'another ES256 key, with its own kid', token: signed(admin, stranger, 'attacker-key'), expect: refused('TOKEN_KEY_UNKNOWN') },
    { name: 'no kid', token: signed(admin, stranger, null), expect: refused('TOKEN_KEY_UNKNOWN') },
    { name: 'a 10 KB token', token: signed({ ...claims, padding: 'x'.repeat(10_000) }), expect: refused('TOKEN_TOO_LARGE') },
    { name: 'a 100 KB token', token: `${header}.${'A'.repeat(100 * 1024)}.${signature}`, expect: { status: 431, code: 'HEADERS_TOO_LARGE' } },
    { name: 'segments that are not base64url', token: `${header}.${segment(claims)}.not+base64/url=`, expect: refused('TOKEN_MALFORMED') },
    {
      name: 'a header that is not JSON',
      token: `${Buffer.from('{"alg":').toString('base64url')}.${segment(claims)}.${signature}`,
      expect: refused('TOKEN_MALFORMED'),
    },
    {
      name: 'a JWT header over a payload that is not JSON',
      token: `${segment({ alg: 'ES256', typ: 'JWT', kid: jwk.kid })}.${Buffer.from('{not json').toString('base64url')}.${signature}`,
      expect: refused('TOKEN_MALFORMED'),
    },
    { name: 'a payload that is an array', token: `${header}.${segment([claims])}.${signature}`, expect: refused('TOKEN_MALFORMED') },
    { name: 'two segments', token: `${header}.${segment(claims)}`, expect: refused('TOKEN_MALFORMED') },
    { name: 'four segments', token: `${system.token}.${signature}`, expect: refused('TOKEN_MALFORMED') },
  ];

  // kid null: none in the header.
  function signed(payload: Record<string, unknown>, key: KeyObject | string = authBuild.privateKeyPem, kid: string | null = jwk.kid): string {
    return jwt.sign(payload, key, { algorithm: 'ES256', ...(kid !== null && { keyid: kid }) });
  }
  function hmac(payload: Record<string, unknown>, secret: string): string {
    const input = `${segment({ alg: 'HS256', typ: 'JWT', kid: jwk.kid })}.${segment(payload)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  }
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function publicKeyPemOf(key: Record<string, unknown>): string {
  return createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
    .export({ format: 'pem', type: 'spki' })
    .toString();
}

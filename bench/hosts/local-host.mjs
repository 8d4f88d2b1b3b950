// The User Service with no federation at all: the same Express app as the modmesh host
// (examples/user-service/dist/app.js) with the token validator imported from the auth
// service's own sources and built in-process. The baseline "what would this cost without
// sharing code at run time".
//   AUTH_PUBLIC_JWK  the auth service's public key as a JWK, or a JSON array of them (required)
//   AUTH_ISSUER, AUTH_AUDIENCE as for the auth build; PORT (default 3000; 0 = ephemeral), HOST
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAuthConfig } from '../../examples/auth-service/dist/server/config.js';
import { loadTrustedKeys } from '../../examples/auth-service/dist/server/keys.js';
import { createTokenValidator } from '../../examples/auth-service/dist/server/validator.js';
import { createUserServiceApp } from '../../examples/user-service/dist/app.js';

const LOCAL_VERSION = 'local';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const validator = { validateJwtToken: createTokenValidator(readValidatorOptions()) };
const app = createUserServiceApp({
  // Always loaded: what the app sees from a federated validator once it has arrived.
  validator: { get: async () => validator, current: () => validator, version: () => LOCAL_VERSION },
});

const server = app.listen(port, host, function listening() {
  log('info', 'listening', { url: `http://${host}:${server.address().port}` });
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, function stop() {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}

// --- internal ---

// The key ids are RFC 7638 thumbprints computed by the auth service's own key handling, so
// they match the `kid` of the tokens it signs; issuer and audience default as for its build.
function readValidatorOptions() {
  const jwk = process.env.AUTH_PUBLIC_JWK;
  if (!jwk) {
    log('error', 'AUTH_PUBLIC_JWK is not set', { hint: "Give the auth service's public key as a JWK (JSON)." });
    process.exit(1);
  }
  const parsed = JSON.parse(jwk);
  const config = readAuthConfig(process.env);
  const keys = loadTrustedKeys({
    env: { AUTH_TRUSTED_KEYS: JSON.stringify(Array.isArray(parsed) ? parsed : [parsed]) },
    // Not read while AUTH_TRUSTED_KEYS is given; never the example's own .env either way.
    envFile: path.join(path.dirname(fileURLToPath(import.meta.url)), 'no.env'),
    warn: (message) => log('warn', message),
  });
  return { keys, issuer: config.issuer, audience: config.audience };
}

function log(level, msg, fields) {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, service: 'user-service-local', msg, ...fields })}\n`);
}

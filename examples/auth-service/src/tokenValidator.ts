// The module the auth service exposes as `./tokenValidator`. It runs inside every host that
// loads it, so it carries only the issuer's public keys, fixed at build time: no secret ever
// leaves the auth service, and validating a token needs no network call.
import { createTokenValidator, type TrustedKey } from './validator.js';

export type { TokenUser, ValidationResult } from './validator.js';

declare const __AUTH_TRUSTED_KEYS__: TrustedKey[];
declare const __AUTH_ISSUER__: string;
declare const __AUTH_AUDIENCE__: string;

export const validateJwtToken = createTokenValidator({
  keys: __AUTH_TRUSTED_KEYS__,
  issuer: __AUTH_ISSUER__,
  audience: __AUTH_AUDIENCE__,
});

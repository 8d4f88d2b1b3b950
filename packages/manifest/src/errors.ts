import { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';

/** What a coded error is about: the remote, its version and the file, when known. */
export interface ErrorSubject {
  remote?: string;
  version?: string;
  file?: string;
}

export interface ModmeshErrorJson extends ErrorSubject {
  code: ErrorCode;
  message: string;
  hint: string;
  cause?: ModmeshErrorJson;
}

export interface ModmeshErrorOptions extends ErrorSubject {
  /** What the user can do about it. @default the catalogue's hint for the code */
  hint?: string;
  cause?: unknown;
}

/**
 * Every error modmesh lets a user see. Branch on `code`, never on the message.
 *
 * @example
 * throw new ModmeshError('MODMESH_REMOTE_TIMEOUT', 'auth: no response within 5000 ms', { remote: 'auth' });
 */
export class ModmeshError extends Error {
  override readonly name = 'ModmeshError';
  readonly code: ErrorCode;
  readonly hint: string;
  readonly remote: string | undefined;
  readonly version: string | undefined;
  readonly file: string | undefined;

  constructor(code: ErrorCode, message: string, options: ModmeshErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? ERROR_CATALOGUE[code].hint;
    this.remote = options.remote;
    this.version = options.version;
    this.file = options.file;
  }

  /** The shape services put in a JSON error body and in structured logs; a coded cause is kept. */
  toJSON(): ModmeshErrorJson {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      ...(this.remote && { remote: this.remote }),
      ...(this.version && { version: this.version }),
      ...(this.file && { file: this.file }),
      ...(this.cause instanceof ModmeshError && { cause: this.cause.toJSON() }),
    };
  }
}

/** True for a `ModmeshError`, also one from another copy of this package. */
export function isModmeshError(error: unknown): error is ModmeshError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

// Runtime checks of JSON answers against the contract's TypeScript types (@modmesh/api). A check
// is typed by what it accepts, and an object check must name every key of its type, optional
// ones as optional: a field added to or removed from a type is a type error here, and a handler
// whose answer drifts from its declared type (an extra field leaked from storage, a number sent
// as a string, a missing field) fails the test that checks its real answer.

/** Reports what is wrong with `value` (at `path`) into `problems`. `T` is what it accepts. */
export interface Check<T> {
  (value: unknown, path: string, problems: string[]): void;
  /** Never set: ties the check to the type it accepts. */
  readonly accepts?: T;
  readonly optional?: false;
}

/** The check of an optional key (`optional(...)`): the key may be absent. */
export interface OptionalCheck<T> extends Omit<Check<T>, 'optional'> {
  (value: unknown, path: string, problems: string[]): void;
  readonly optional: true;
}

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/** One check per key of `T`: optional keys take `optional(...)`, required keys a plain check. */
export type Fields<T> = {
  [K in keyof T]-?: K extends OptionalKeys<T> ? OptionalCheck<Exclude<T[K], undefined>> : Check<T[K]>;
};

/** The problems found in `value`, each naming where: an empty list when it has the shape. */
export function problemsOf(value: unknown, check: Check<unknown>): string[] {
  const problems: string[] = [];
  check(value, '$', problems);
  return problems;
}

export const string: Check<string> = (value, path, problems) => {
  if (typeof value !== 'string') problems.push(`${path}: ${describe(value)}, expected a string`);
};

/** An ISO 8601 time as `Date.prototype.toISOString` writes it. */
export const isoTime: Check<string> = (value, path, problems) => {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)) || new Date(value).toISOString() !== value) {
    problems.push(`${path}: ${describe(value)}, expected an ISO time`);
  }
};

export const integer: Check<number> = (value, path, problems) => {
  if (!Number.isSafeInteger(value)) problems.push(`${path}: ${describe(value)}, expected an integer`);
};

export const boolean: Check<boolean> = (value, path, problems) => {
  if (typeof value !== 'boolean') problems.push(`${path}: ${describe(value)}, expected a boolean`);
};

/** Any JSON object (the contract leaves its inside to another schema: a signed manifest). */
export const anyObject: Check<unknown> = (value, path, problems) => {
  if (!isObject(value)) problems.push(`${path}: ${describe(value)}, expected an object`);
};

export function oneOf<const V extends readonly (string | number | boolean | null)[]>(...values: V): Check<V[number]> {
  return function oneOfValues(value, path, problems) {
    if (!values.includes(value as V[number])) problems.push(`${path}: ${describe(value)}, expected one of ${JSON.stringify(values)}`);
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return function nullOr(value, path, problems) {
    if (value !== null) check(value, path, problems);
  };
}

export function optional<T>(check: Check<T>): OptionalCheck<T> {
  return Object.assign(
    function optionalField(value: unknown, path: string, problems: string[]) {
      check(value, path, problems);
    },
    { optional: true as const },
  );
}

export function array<T>(check: Check<T>): Check<T[]> {
  return function arrayOf(value, path, problems) {
    if (!Array.isArray(value)) return void problems.push(`${path}: ${describe(value)}, expected an array`);
    for (const [index, item] of value.entries()) check(item, `${path}[${index}]`, problems);
  };
}

export function record<T>(check: Check<T>): Check<Record<string, T>> {
  return function recordOf(value, path, problems) {
    if (!isObject(value)) return void problems.push(`${path}: ${describe(value)}, expected an object`);
    for (const [key, item] of Object.entries(value)) check(item, `${path}.${key}`, problems);
  };
}

/** An object with exactly these keys: a key it lacks, or one it should not have, is a problem. */
export function object<T>(fields: Fields<T>): Check<T> {
  const checks = fields as Record<string, Check<unknown> | OptionalCheck<unknown>>;
  return function objectOf(value, path, problems) {
    if (!isObject(value)) return void problems.push(`${path}: ${describe(value)}, expected an object`);
    for (const [key, check] of Object.entries(checks)) {
      if (!Object.hasOwn(value, key)) {
        if (!check.optional) problems.push(`${path}: no "${key}"`);
        continue;
      }
      check(value[key], `${path}.${key}`, problems);
    }
    for (const key of Object.keys(value)) if (!Object.hasOwn(checks, key)) problems.push(`${path}: unexpected "${key}"`);
  };
}

// --- internal ---

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

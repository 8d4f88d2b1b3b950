/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, only what JSON can say exactly
 * (strings, safe integers, booleans, null, arrays, objects). The same value always gives the
 * same bytes, so a signature over them can be checked against a re-serialized copy.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

// --- internal ---

function serialize(value: unknown, at: string): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // Floats have more than one spelling; a manifest never needs one.
    if (!Number.isSafeInteger(value)) throw new TypeError(`${at}: ${value} is not a safe integer; canonical JSON holds integers only`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((item, index) => serialize(item, `${at}[${index}]`)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${serialize(item, `${at}.${key}`)}`).join(',')}}`;
  }
  throw new TypeError(`${at}: ${typeof value} has no canonical JSON form`);
}

// The §2.1 text rules: the exact condition under which our canonicalJson equals OLPC canonical
// JSON (what TUF tools sign), so a signature made by one verifies under the other.
import { canonicalJson } from '@modmesh/manifest/web';

/** Where a string breaks the text rules, as a JSON path and the reason; undefined if none does. */
export interface TextViolation {
  at: string;
  reason: string;
}

/**
 * Checks every string and object key in `value`: no control character U+0000–U+001F (JSON escapes
 * them, OLPC writes them raw), no lone surrogate (JSON escapes it, OLPC writes it raw), and every
 * object key ASCII (JS sorts keys by UTF-16 unit, Python TUF by code point; they agree on ASCII).
 * Numbers must be safe integers (OLPC has no floats; we refuse what it would print as 1e+21).
 */
export function textViolation(value: unknown, at = '$'): TextViolation | undefined {
  if (typeof value === 'string') return stringViolation(value, at);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? undefined : { at, reason: `${value} is not a safe integer` };
  if (value === null || typeof value === 'boolean') return undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = textViolation(item, `${at}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      if (!/^[\u0020-\u007f]*$/.test(key))
        return { at: `${at}[${JSON.stringify(key)}]`, reason: 'an object key that is not ASCII, or holds a control character' };
      const found = textViolation(item, `${at}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return { at, reason: `${typeof value} has no JSON form` };
}

/** The canonical JSON text of a value that obeys the text rules, or undefined with the violation. */
export function canonicalText(value: unknown): { text: string } | { violation: TextViolation } {
  const violation = textViolation(value);
  return violation ? { violation } : { text: canonicalJson(value) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** The text of UTF-8 bytes; undefined when they are not valid UTF-8. A BOM is kept (and JSON refuses it). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function toHex(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0');
  return text;
}

/** Bytes of lowercase hex; undefined for anything else. */
export function fromHex(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^(?:[0-9a-f]{2})*$/.test(text)) return undefined;
  const bytes = new Uint8Array(text.length / 2);
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

/** `YYYY-MM-DDTHH:MM:SSZ` as milliseconds, or undefined when it is not exactly that (or no real date). */
export function parseExpires(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) || formatExpires(ms) !== text ? undefined : ms;
}

/** Milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, rounded down). */
export function formatExpires(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

// --- internal ---

function stringViolation(text: string, at: string): TextViolation | undefined {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x20) return { at, reason: `control character U+${unit.toString(16).padStart(4, '0').toUpperCase()} at index ${index}` };
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index += 1;
        continue;
      }
      return { at, reason: `lone surrogate at index ${index}` };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return { at, reason: `lone surrogate at index ${index}` };
  }
  return undefined;
}

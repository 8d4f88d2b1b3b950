import type * as z from 'zod/mini';
import { CONFIG_KEYS, SHARED_KEYS, TARGET_KEYS } from './config-schema.js';

// How a schema refusal reads to the user: the field's path as they wrote it
// (`exposes["./greeting"]`, `targets.node.shared`), and for a mistyped key the key they meant.

/** One thing wrong with a config: the field, what is wrong, and what to write instead. */
export interface ConfigIssue {
  field: string;
  message: string;
  hint?: string;
}

/** The issues of one zod issue: an unknown key names the nearest known one. */
export function schemaIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  const at = fieldOf(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const known = knownKeys(issue.path);
      const close = closest(key, known);
      return {
        field: at ? `${at}.${key}` : key,
        message: 'unknown key',
        hint: close ? `Did you mean '${close}'? Write ${close}: instead.` : `The keys here are: ${known.join(', ')}.`,
      };
    });
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return [{ field: at, message: 'is required', hint: requiredHint(at) }];
  if (at === '')
    return [{ field: 'config', message: issue.message, hint: "Export the config object: export default defineConfig({ name: 'my-remote', exposes: {...} })." }];
  return [{ field: at, message: issue.message }];
}

/** A path as the user wrote it: `exposes["./greeting"]`, `targets[1]`, `targets.node.shared`. */
export function fieldOf(parts: PropertyKey[]): string {
  return parts.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    const key = String(part);
    return /^[A-Za-z_$][\w$]*$/.test(key) ? (text ? `${text}.${key}` : key) : `${text}[${JSON.stringify(key)}]`;
  }, '');
}

// --- internal ---

function knownKeys(at: PropertyKey[]): string[] {
  if (at.length === 0) return CONFIG_KEYS;
  if (at.includes('shared')) return SHARED_KEYS;
  if (at[0] === 'targets') return TARGET_KEYS;
  return [];
}

function requiredHint(field: string): string {
  return field === 'name' ? "Write name: 'my-remote': the remote's name at the registry." : `Give ${field}.`;
}

// The known key nearest to a mistyped one (edit distance at most 3), for "did you mean".
function closest(key: string, known: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 3 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

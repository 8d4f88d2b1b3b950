import { canonicalJson } from '@modmesh/manifest/web';
import { canonicalize } from '@tufjs/canonical-json';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWebCrypto } from './crypto.js';
import { readDocument } from './document.js';
import { parseExpires, textViolation, utf8 } from './text.js';

// Characters where JSON and OLPC escaping could part ways, weighted in so every run meets them.
const edgeChars = fc.constantFrom('"', '\\', '/', '\u007f', '\u2028', '\u2029', '\ue000', '\uffff', '😀', '\u{10ffff}', ' ');
const allowedChar = fc.oneof(
  edgeChars,
  fc.integer({ min: 0x20, max: 0xd7ff }).map((code) => String.fromCodePoint(code)),
  fc.integer({ min: 0xe000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const allowedText = fc.string({ unit: allowedChar, maxLength: 24 });
const asciiKey = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7f }).map((code) => String.fromCharCode(code)), maxLength: 12 });
const allowedValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    allowedText,
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(asciiKey, tie('value'), { maxKeys: 5, noNullPrototype: true }),
  ),
})).value;

// A string with at least one control character or lone surrogate somewhere.
const badChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
);
const badText = fc.tuple(allowedText, badChar, allowedText).map(([before, bad, after]) => before + bad + after);

describe('the §2.1 text rules', () => {
  it('make our canonical JSON equal OLPC canonical JSON (@tufjs/canonical-json) for every value that obeys them', () => {
    fc.assert(
      fc.property(allowedValue, (value) => {
        expect(textViolation(value)).toBeUndefined();
        expect(canonicalJson(value)).toBe(canonicalize(value as never));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuse every string with a control character or a lone surrogate, where the two forms differ', () => {
    fc.assert(
      fc.property(badText, fc.boolean(), (text, asKey) => {
        const value = asKey ? { [text]: 1 } : { reason: text };
        expect(textViolation(value)).toBeDefined();
        // Why the rule exists: a signature over one form would not verify over the other.
        expect(canonicalJson(value)).not.toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuse non-ASCII object keys and integers JSON cannot say exactly', () => {
    expect(textViolation({ '\u{1f600}': 1 })?.reason).toMatch(/not ASCII/);
    expect(textViolation({ '\ue000': 1 })?.at).toBe('$["\ue000"]');
    expect(textViolation({ n: 2 ** 70 })?.reason).toMatch(/not a safe integer/);
    expect(textViolation({ n: 1.5 })?.at).toBe('$.n');
    // OLPC would print 1e+21 for this one; we refuse it.
    expect(canonicalize({ n: 1e21 })).toBe('{"n":1e+21}');
  });

  it('make a document that breaks them MODMESH_META_INVALID, naming where', async () => {
    const bytes = utf8(JSON.stringify({ signed: { _type: 'timestamp', note: 'a\nb' }, signatures: [] }));
    await expect(readDocument('timestamp', bytes, createWebCrypto())).rejects.toMatchObject({
      code: 'MODMESH_META_INVALID',
      message: expect.stringContaining('signed.note: control character U+000A'),
    });
  });
});

describe('expires', () => {
  it('is exactly YYYY-MM-DDTHH:MM:SSZ on a real date', () => {
    expect(parseExpires('2026-12-01T12:00:00Z')).toBe(Date.parse('2026-12-01T12:00:00Z'));
    for (const text of ['2026-12-01T12:00:00.000Z', '2026-12-01T12:00:00+00:00', '2026-02-30T00:00:00Z', '2026-12-01 12:00:00Z'])
      expect(parseExpires(text), text).toBeUndefined();
  });
});

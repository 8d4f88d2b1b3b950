import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileSchema } from '../scripts/compile-schema.js';
import { releaseManifestIssues } from './generated/release-manifest-check.js';
import { isFullVersion, isSafeReleasePath, referenceIssues } from './rules.js';
import { referencesCheck, releaseManifestSchema } from './schema.js';

// How the compiled check is made from the schema. `npx vitest run packages/manifest -u` writes
// the file again after a change of the schema; without -u this test fails while it is stale.
const GENERATED = './generated/release-manifest-check.ts';
const OPTIONS = {
  name: 'releaseManifestIssues',
  rulesModule: '../rules.js',
  rules: { isFullVersion, isSafeReleasePath } as Record<string, (value: never) => unknown>,
  checks: new Map<unknown, string>([[referencesCheck, 'referenceIssues']]),
  header: [
    'Generated from releaseManifestSchema (schema.ts) by scripts/compile-schema.ts: do not edit.',
    '`npx vitest run packages/manifest -u` writes it again; release-manifest-check.test.ts fails while it is stale.',
  ],
};

describe('the compiled release manifest check', () => {
  it('is the compiled form of the schema as it is now', async () => {
    await expect(compileSchema(releaseManifestSchema, OPTIONS)).toMatchFileSnapshot(GENERATED);
  });

  it('refuses a rule it cannot see instead of leaving it out', () => {
    expect(() => compileSchema(releaseManifestSchema, { ...OPTIONS, rules: { isFullVersion } as typeof OPTIONS.rules })).toThrow(/isSafeReleasePath/);
    expect(() => compileSchema(releaseManifestSchema, { ...OPTIONS, checks: new Map() })).toThrow(/refinement/);
  });

  it('accepts a valid manifest', () => {
    expect(releaseManifestIssues(validManifest())).toEqual([]);
    expect(referenceIssues(validManifest())).toEqual([]);
  });

  it('gives zod’s verdict, and names the same problem, for every edge value at every place', () => {
    let refused = 0;
    for (const at of slotsOf(validManifest())) {
      for (const edge of EDGE_VALUES) {
        const manifest = validManifest();
        setAt(manifest, at, structuredClone(edge));
        const zod = releaseManifestSchema.safeParse(manifest);
        const compiled = releaseManifestIssues(manifest);
        const label = `${at.join('.')} = ${JSON.stringify(edge)}`;
        expect(compiled.length === 0, label).toBe(zod.success);
        if (!zod.success) refused += 1;
        if (!zod.success && zod.error.issues.length === 1) {
          expect(compiled, label).toEqual(zod.error.issues.map(({ path, message }) => ({ path, message })));
        }
      }
    }
    // Most edge values are wrong somewhere: the comparison is not of valid manifests only.
    expect(refused).toBeGreaterThan(1000);
  });

  it('gives zod’s verdict on random combinations of changes', () => {
    fc.assert(
      fc.property(mutatedManifest(), (manifest) => {
        const zod = releaseManifestSchema.safeParse(manifest);
        const compiled = releaseManifestIssues(manifest);
        expect(compiled.length === 0, JSON.stringify(manifest)).toBe(zod.success);
      }),
      { numRuns: 3000 },
    );
  });

  it('names the same problem as zod where there is one', () => {
    fc.assert(
      fc.property(mutatedManifest(1), (manifest) => {
        const zod = releaseManifestSchema.safeParse(manifest);
        if (zod.success || zod.error.issues.length !== 1) return;
        const [expected] = zod.error.issues;
        expect(releaseManifestIssues(manifest), JSON.stringify(manifest)).toEqual([{ path: expected?.path, message: expected?.message }]);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports every problem, with its path', () => {
    const manifest = { ...validManifest(), name: 'Auth', files: [{ path: '../x', size: -1, sha256: 'z' }], extra: 1 };
    const paths = releaseManifestIssues(manifest).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'files.0.path', 'files.0.size', 'files.0.sha256', '']));
  });
});

// --- internal ---

function validManifest() {
  return {
    schema: 'modmesh.release/v1',
    name: 'auth',
    version: '1.0.0',
    files: [
      { path: 'node/remoteEntry.js', size: 10, sha256: 'a'.repeat(64) },
      { path: 'node/chunks/validator.js', size: 20, sha256: 'b'.repeat(64) },
      { path: 'web/remoteEntry.js', size: 30, sha256: 'c'.repeat(64) },
    ],
    containers: [
      {
        target: 'node',
        name: 'auth',
        entry: 'node/remoteEntry.js',
        exposes: [{ name: './tokenValidator', files: ['node/chunks/validator.js'] }],
        shared: [{ name: 'jsonwebtoken', version: '9.0.3', requiredVersion: '^9.0.0', singleton: true }],
      },
      { target: 'web', name: 'auth', entry: 'web/remoteEntry.js', exposes: [{ name: './LoginForm' }], shared: [] },
    ],
    build: { bundler: 'webpack', bundlerVersion: '5.111.1', gitCommit: 'abcdef1', createdAt: '2026-11-22T03:00:00.000Z' },
  };
}

// Values that sit on or across the schema's edges, and plain JSON of any shape.
const EDGE_VALUES: unknown[] = [
  '',
  'a',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(512),
  'x'.repeat(513),
  '😀'.repeat(300),
  '😀'.repeat(257),
  '\ud800'.repeat(300),
  '../up.js',
  'a//b.js',
  'a/./b.js',
  '/abs.js',
  'a\\b.js',
  'C:x.js',
  'ok.js',
  'node/remoteEntry.js',
  'node/chunks/validator.js',
  'web/remoteEntry.js',
  './tokenValidator',
  'tokenValidator',
  '1.0.0',
  '1.0',
  'v1.0.0',
  '1.0.0-rc.1',
  '01.0.0',
  'Auth',
  'a..b',
  'a.b-c_d',
  'node',
  'web',
  'webpack',
  'abcdef1',
  'abcdef',
  'A'.repeat(64),
  'a'.repeat(64),
  'a'.repeat(63),
  '2026-11-22T03:00:00.000Z',
  '2026-11-22T03:00:00Z',
  '2026-02-29T03:00:00Z',
  '2028-02-29T03:00:00Z',
  '2026-11-22T03:00:00+01:00',
  '2026-11-22',
  'modmesh.release/v1',
  'modmesh.release/v2',
  0,
  -0,
  1,
  -1,
  1.5,
  2 ** 53 - 1,
  2 ** 53,
  1e300,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  [],
  ['node/remoteEntry.js'],
  [{}],
  {},
  { path: 'ok.js', size: 1, sha256: 'd'.repeat(64) },
];

const KEYS = [
  'schema',
  'name',
  'version',
  'files',
  'containers',
  'build',
  'path',
  'size',
  'sha256',
  'target',
  'entry',
  'exposes',
  'shared',
  'requiredVersion',
  'singleton',
  'strictVersion',
  'bundler',
  'bundlerVersion',
  'gitCommit',
  'createdAt',
  'extra',
  '__proto__',
];

type Json = Record<string, unknown> | unknown[];

// The path of every value in `value` (objects' keys and arrays' indices), leaves and containers.
function slotsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    return [at, ...slotsOf(child, at)];
  });
}

function setAt(root: Json, at: (string | number)[], value: unknown): void {
  const parent = at.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root) as Record<string | number, unknown>;
  parent[at.at(-1) as string | number] = value;
}

// A valid manifest with up to `most` changes, each at a random place in it: a value replaced by an
// edge value or by random JSON, a key removed or added, an element duplicated or removed.
function mutatedManifest(most = 4): fc.Arbitrary<unknown> {
  const change = fc.record({
    at: fc.array(fc.nat(), { minLength: 0, maxLength: 6 }),
    kind: fc.constantFrom('replace', 'replace', 'replace', 'json', 'delete', 'add', 'duplicate', 'drop'),
    edge: fc.constantFrom(...EDGE_VALUES),
    json: fc.jsonValue({ maxDepth: 2 }),
    key: fc.constantFrom(...KEYS),
  });
  return fc.array(change, { minLength: 1, maxLength: most }).map((changes) => {
    const manifest: Json = validManifest();
    for (const item of changes) apply(manifest, item);
    return manifest;
  });
}

function apply(root: Json, change: { at: number[]; kind: string; edge: unknown; json: unknown; key: string }): void {
  // Walk down to a container (object or array) chosen by the indices, then change one of its slots.
  let node: Json = root;
  for (const step of change.at) {
    const slots = Object.keys(node);
    if (slots.length === 0) break;
    const next = (node as Record<string, unknown>)[slots[step % slots.length] as string];
    if (next === null || typeof next !== 'object') break;
    node = next as Json;
  }
  const slots = Object.keys(node);
  const slot = slots.length === 0 ? undefined : slots[(change.at.at(-1) ?? 0) % slots.length];
  const record = node as Record<string, unknown>;
  // A copy: the edge values are shared by every run, and a later change may write into this one.
  const edge = structuredClone(change.edge);
  if (Array.isArray(node)) {
    const index = Number(slot ?? 0);
    if (change.kind === 'duplicate' && slot !== undefined) node.push(structuredClone(node[index]));
    else if (change.kind === 'drop' || change.kind === 'delete') node.splice(index, 1);
    else if (change.kind === 'add') node.push(edge);
    else node[index] = change.kind === 'json' ? change.json : edge;
    return;
  }
  if (change.kind === 'add') {
    Object.defineProperty(record, change.key, { value: edge, enumerable: true, configurable: true, writable: true });
  } else if ((change.kind === 'delete' || change.kind === 'drop') && slot !== undefined) {
    delete record[slot];
  } else if (slot !== undefined) {
    record[slot] = change.kind === 'json' ? change.json : change.kind === 'duplicate' ? structuredClone(record[slot]) : edge;
  }
}

// node bench/trust-verify.mjs [--runs 200]   (after npm run build)
// What @modmesh/trust costs per document: a repository shaped as design 16 §1.1 measured it (50
// remotes, so 100 delegated roles; a 2-of-3 root; auth with 200 releases; 4 tags per remote),
// each step of the update cycle timed alone, with the node:crypto port and the WebCrypto port.
// Prints a markdown table; asserts nothing.
import { canonicalJson, generatePublisherKeyPair, signRelease } from '@modmesh/manifest';
import {
  addRemote,
  addSignature,
  buildReleasesUpdate,
  buildSnapshot,
  buildTagsUpdate,
  buildTimestamp,
  commitCycle,
  createTrustedSet,
  createWebCrypto,
  documentBytes,
  draftRoot,
  draftTargets,
  loadTrustedRoot,
  runCycle,
  startCycle,
  updateRole,
  updateSnapshot,
  updateTargets,
  updateTimestamp,
  verifyReleaseDocument,
} from '@modmesh/trust';
import { createNodeCrypto, createNodeSigner } from '@modmesh/trust/node';

const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 200;
const REMOTES = 50;
const AUTH_RELEASES = 200;
const TAGS = ['stable', 'canary', 'prod-eu', 'prod-us'];
const now = Date.now();
const expires = (days) => `${new Date(now + days * 86_400_000).toISOString().slice(0, 19)}Z`;
const node = createNodeCrypto();

const key = async () => {
  const pair = generatePublisherKeyPair();
  return { ...pair, signer: await createNodeSigner(pair.privateKeyPem) };
};
const sign = async (envelope, pairs) => {
  let signed = envelope;
  for (const pair of pairs) signed = await addSignature(signed, pair.signer, [pair.signer.keyid]);
  return documentBytes(signed);
};

// --- the repository ---
const rootKeys = await Promise.all([0, 1, 2].map(key));
const online = await key();
const rootBytes = await sign(
  await draftRoot({ rootKeys: rootKeys.map((pair) => pair.signer.key), threshold: 2, onlineKeys: [online.signer.key], expires: expires(365) }, node),
  rootKeys.slice(0, 2),
);
const remotes = ['auth', ...Array.from({ length: REMOTES - 1 }, (_, index) => `remote${index + 1}`)];
let targets = draftTargets(expires(365));
const roles = {};
let authDocument;
for (const remote of remotes) {
  const [publisher, mover] = [await key(), await key()];
  targets = await addRemote(targets.signed, { remote, publishers: [publisher.signer.key], movers: [mover.signer.key], expires: expires(365) }, node);
  let releases;
  const count = remote === 'auth' ? AUTH_RELEASES : 1;
  for (let index = 0; index < count; index += 1) {
    const version = `1.${index}.0`;
    const manifest = {
      schema: 'modmesh.release/v1',
      name: remote,
      version,
      files: [{ path: 'remoteEntry.js', size: 10, sha256: 'a'.repeat(64) }],
      containers: [{ target: 'node', name: remote, entry: 'remoteEntry.js', exposes: [{ name: './tokenValidator' }], shared: [] }],
      build: { bundler: 'webpack', bundlerVersion: '5.111.1', createdAt: new Date(now).toISOString() },
    };
    const document = new TextEncoder().encode(canonicalJson(signRelease(manifest, publisher.privateKeyPem)));
    if (remote === 'auth' && index === 0) authDocument = document;
    releases = (await buildReleasesUpdate(releases, { remote, add: { version, document }, expires: expires(365) }, node)).signed;
  }
  releases.version = 1;
  let tags;
  for (const tag of TAGS) {
    tags = buildTagsUpdate(tags, releases, {
      remote,
      tag,
      version: '1.0.0',
      movedAt: new Date(now).toISOString(),
      reason: 'bench',
      expires: expires(365),
    }).signed;
  }
  tags.version = 1;
  roles[`${remote}.releases`] = await sign({ signed: releases, signatures: [] }, [publisher]);
  roles[`${remote}.tags`] = await sign({ signed: tags, signatures: [] }, [mover]);
}
const targetsBytes = await sign(targets, rootKeys.slice(0, 2));
const snapshotBytes = await sign(await buildSnapshot({ version: 1, expires: expires(7), roles: { targets: targetsBytes, ...roles } }, node), [online]);
const timestampBytes = await sign(await buildTimestamp({ version: 1, expires: expires(1 / 24), snapshot: snapshotBytes }, node), [online]);
const files = new Map([
  ['2.root.json', undefined],
  ['timestamp.json', timestampBytes],
  ['1.snapshot.json', snapshotBytes],
  [`${targets.signed.version}.targets.json`, targetsBytes],
  ...Object.entries(roles).map(([role, bytes]) => [`1.${role}.json`, bytes]),
]);

// --- timings ---
const rows = [];
for (const [portName, crypto] of [
  ['node:crypto', node],
  ['WebCrypto', createWebCrypto()],
]) {
  const root = await loadTrustedRoot(rootBytes, crypto);
  const base = createTrustedSet(root);
  const withTimestamp = await updateTimestamp(startCycle(base, now), timestampBytes, crypto);
  const withSnapshot = await updateSnapshot(withTimestamp, snapshotBytes, crypto);
  const withTargets = await updateTargets(withSnapshot, targetsBytes, crypto);
  const withReleases = await updateRole(withTargets, 'auth.releases', roles['auth.releases'], crypto);
  const full = await updateRole(withReleases, 'auth.tags', roles['auth.tags'], crypto);
  const { set } = await commitCycle(full, ['auth'], crypto);
  const source = { get: async (fetch) => files.get(fetch.file) };
  const steps = [
    ['root (B1)', rootBytes.length, () => loadTrustedRoot(rootBytes, crypto)],
    ['timestamp (U4)', timestampBytes.length, () => updateTimestamp(startCycle(base, now), timestampBytes, crypto)],
    ['snapshot, 101 roles (U5)', snapshotBytes.length, () => updateSnapshot(withTimestamp, snapshotBytes, crypto)],
    ['targets, 100 delegations (U6)', targetsBytes.length, () => updateTargets(withSnapshot, targetsBytes, crypto)],
    [
      `auth.releases, ${AUTH_RELEASES} releases (U7)`,
      roles['auth.releases'].length,
      () => updateRole(withTargets, 'auth.releases', roles['auth.releases'], crypto),
    ],
    [`auth.tags, ${TAGS.length} tags (U7)`, roles['auth.tags'].length, () => updateRole(withReleases, 'auth.tags', roles['auth.tags'], crypto)],
    ['commit, following auth (U8)', 0, () => commitCycle(full, ['auth'], crypto)],
    ['release document (R1)', authDocument.length, () => verifyReleaseDocument(set, 'auth', '1.0.0', authDocument, crypto)],
    ['whole cold cycle from the root, following auth', 0, () => runCycle(base, { now, remotes: ['auth'], source, crypto })],
  ];
  for (const [name, bytes, step] of steps) {
    for (let warm = 0; warm < 20; warm += 1) await step();
    const samples = [];
    for (let run = 0; run < runs; run += 1) {
      const started = performance.now();
      await step();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    rows.push({ port: portName, name, bytes, median: samples[Math.floor(runs / 2)], p90: samples[Math.floor(runs * 0.9)] });
  }
}

console.log(`@modmesh/trust verification, ${runs} runs each after 20 warm-up runs, Node ${process.version}\n`);
console.log('| document (step) | bytes | node:crypto median / p90 ms | WebCrypto median / p90 ms |');
console.log('|---|---|---|---|');
const names = [...new Set(rows.map((row) => row.name))];
for (const name of names) {
  const [a, b] = ['node:crypto', 'WebCrypto'].map((port) => rows.find((row) => row.name === name && row.port === port));
  const cell = (row) => `${row.median.toFixed(2)} / ${row.p90.toFixed(2)}`;
  console.log(`| ${name} | ${a.bytes ? a.bytes.toLocaleString('en') : ''} | ${cell(a)} | ${cell(b)} |`);
}

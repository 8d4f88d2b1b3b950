import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Consumer, RegistryClient } from '@modmesh/api';
import type { ContractBreak, SharedRangeChange } from '@modmesh/contract';
import {
  type ContainerInfo,
  type FileEntry,
  isModmeshError,
  keyIdOf,
  ModmeshError,
  parsePublicKey,
  parseReleaseManifest,
  RELEASE_TYPES,
  RELEASE_TYPES_INDEX,
  type ReleaseManifest,
  verifyRelease,
} from '@modmesh/manifest';
import semver from 'semver';
import { verifiedBlob } from './verified-blob.js';

/** One release's contract: each container's declarations (when it carries them, as the two files' text) and shared packages. */
export interface ReleaseContract {
  name: string;
  version: string;
  containers: { target: ContainerInfo['target']; shared: ContainerInfo['shared']; types: { index: string; text: string } | undefined }[];
}

/** What the gate found between two releases. */
export interface GateResult {
  /** The release compared with, or undefined when there is none to compare with. */
  against: string | undefined;
  breaks: GateBreak[];
  added: string[];
  /** What could not be checked, and why. */
  notes: string[];
}

export type GateBreak = ({ kind: 'export' } & ContractBreak) | ({ kind: 'shared' } & SharedRangeChange) | { kind: 'target'; target: string };

/**
 * The publish gate: a release X.Y.Z is compared with the newest release of the same major
 * (`baselineOf`), fetched and verified from the registry, and refused with
 * MODMESH_CONTRACT_BREAK when it breaks it. It runs in the CLI, before anything is uploaded:
 * TypeScript is there, and the registry has no business running a compiler for every publish.
 */
export async function gatePublish(
  client: RegistryClient,
  manifest: ReleaseManifest,
  dir: string,
  note: (text: string) => void,
  publishers: readonly string[] = [],
): Promise<GateResult | undefined> {
  const { name, version } = manifest;
  if (semver.prerelease(version)) {
    note(`${name}@${version} is a prerelease: it is not held to the contract of ${semver.major(version)}.x`);
    return undefined;
  }
  const remote = await client.remote(name).catch((error: unknown) => {
    if (isModmeshError(error) && error.code === 'MODMESH_NOT_FOUND') return undefined;
    throw error;
  });
  const against = baselineOf(remote?.versions.map((entry) => entry.version) ?? [], version);
  if (against === undefined) return undefined;
  const notes: string[] = [];
  const hosts = await hostsRunning(client, name, notes);
  const result = await compareReleases(await publishedContract(client, name, against, notes, publishers), await localContract(manifest, dir), hosts, dir);
  for (const text of [...notes, ...result.notes]) note(text);
  if (result.breaks.length > 0) throw contractBreakError(name, version, result);
  note(`contract kept: compared with ${name}@${against}${result.added.length > 0 ? `; added ${result.added.join(', ')}` : ''}`);
  return result;
}

/**
 * The release the gate compares `version` with: the newest release of the same major below it,
 * prereleases left out (they promise nothing). Undefined for a first release of a major, and for
 * a prerelease being published (a `dev` build is never held to a contract).
 */
export function baselineOf(versions: readonly string[], version: string): string | undefined {
  if (semver.prerelease(version)) return undefined;
  const major = semver.major(version);
  return versions
    .filter((each) => semver.valid(each) && !semver.prerelease(each) && semver.major(each) === major && semver.lt(each, version))
    .sort(semver.rcompare)[0];
}

/**
 * A published release's contract, from the registry: its signed manifest verified against the
 * keys the registry lists for the remote (and, in root mode, the publishers the verified targets
 * delegates: `publishers`), and its declaration files checked against the
 * manifest's SHA-256 and size before they are read. A release signed by a key the remote no
 * longer lists (rotated out since) is read from its manifest as the registry keeps it, with a
 * note: the gate's verdict is the publisher's safety net, not what decides what hosts run.
 */
export async function publishedContract(
  client: RegistryClient,
  name: string,
  version: string,
  notes: string[],
  publishers: readonly string[] = [],
): Promise<ReleaseContract> {
  const [signed, { keys }] = await Promise.all([client.release(name, version), client.keys(name)]);
  const trusted = new Map([...keys.map((key) => key.publicKey), ...publishers].map((key) => [keyIdOf(key), parsePublicKey(key)]));
  let manifest: ReleaseManifest;
  try {
    manifest = verifyRelease(signed, { trusted, expect: { name, version } });
  } catch (error) {
    if (!isModmeshError(error) || error.code !== 'MODMESH_KEY_NOT_TRUSTED') throw error;
    manifest = parseReleaseManifest(signed.manifest);
    if (manifest.name !== name || manifest.version !== version) throw error;
    notes.push(`${name}@${version} is signed by a key ${name} no longer lists (rotated out?): its manifest was read as the registry keeps it`);
  }
  return contractOf(manifest, async (file) => (await verifiedBlob(client, name, version, file)).toString('utf8'));
}

/** A release directory's contract, read from the disk as its manifest lists it. */
export function localContract(manifest: ReleaseManifest, dir: string): Promise<ReleaseContract> {
  return contractOf(manifest, (file) => readFile(path.join(dir, file.path), 'utf8'));
}

/**
 * Compares a new release with an older one of the same major: the exported declarations of each
 * container by the TypeScript checker (@modmesh/contract), and each shared singleton's range
 * against what the hosts running the remote report they provide. `dir` is where the packages
 * the declarations import are resolved from.
 */
export async function compareReleases(before: ReleaseContract, after: ReleaseContract, hosts: readonly Consumer[], dir: string): Promise<GateResult> {
  const result: GateResult = { against: before.version, breaks: [], added: [], notes: [] };
  for (const old of before.containers) {
    const now = after.containers.find((container) => container.target === old.target);
    if (!now) {
      result.breaks.push({ kind: 'target', target: old.target });
      continue;
    }
    // The same declarations and shared packages cannot break anything: no compiler needed (republishing a build).
    const sameTypes = old.types !== undefined && old.types.index === now.types?.index && old.types.text === now.types.text;
    if (sameTypes && JSON.stringify(old.shared) === JSON.stringify(now.shared)) continue;
    const contract = await import('@modmesh/contract');
    if (old.types && now.types && !sameTypes) {
      const read = (release: ReleaseContract, types: { index: string; text: string }) =>
        contract.readDeclarations(types.index, types.text, `${releaseName(release.name, release.version)} (${old.target})`);
      const compared = contract.compareContracts(read(before, old.types), read(after, now.types), { dir });
      result.breaks.push(...compared.breaks.map((each) => ({ kind: 'export' as const, ...each })));
      result.added.push(...compared.added);
    } else if (old.types && !now.types) {
      result.notes.push(
        `the ${old.target} container of ${after.version} carries no declarations (built without modmesh build, or with types: false): its exports were not checked`,
      );
    } else if (!old.types) {
      result.notes.push(`${before.version} carries no declarations for its ${old.target} container: nothing to compare its exports with`);
    }
    const providing = hosts.filter((host) => (host.kind === 'browser' ? 'web' : 'node') === old.target).map((host) => ({ ...host, shared: host.shared ?? [] }));
    for (const change of contract.sharedRangeChanges(old.shared, now.shared, providing)) {
      if (change.singleton) result.breaks.push({ kind: 'shared', ...change });
      else result.notes.push(`${describeBreak({ kind: 'shared', ...change }).trim()}: the remote loads a copy of its own there (not a singleton)`);
    }
  }
  return result;
}

/** The hosts running `name` now, as they report themselves; none (with a note) when the registry does not say. */
export async function hostsRunning(client: RegistryClient, name: string, notes: string[]): Promise<Consumer[]> {
  try {
    return (await client.consumers(name)).consumers;
  } catch (error) {
    if (!isModmeshError(error)) throw error;
    notes.push(`the registry did not list the hosts running ${name} (${error.code}): shared ranges were not checked against them`);
    return [];
  }
}

/** MODMESH_CONTRACT_BREAK with every break, one per line: what, the old type, the new one, and why. */
export function contractBreakError(name: string, version: string, result: GateResult, outcome = 'nothing was published'): ModmeshError {
  const lines = result.breaks.map(describeBreak);
  const base = semver.valid(version) ?? semver.valid(result.against ?? '') ?? '0.0.0';
  const major = `${semver.major(base) + 1}.0.0`;
  return new ModmeshError(
    'MODMESH_CONTRACT_BREAK',
    `${releaseName(name, version)} breaks the contract of ${releaseName(name, result.against ?? '')} (${lines.length} ${lines.length === 1 ? 'break' : 'breaks'}); ${outcome}:\n${lines.join('\n')}`,
    {
      remote: name,
      version,
      hint: `Keep what hosts use working (a new export beside the old one, an optional parameter), or publish it as a new major version (${major}), which hosts follow only when they ask for it.`,
    },
  );
}

/** `auth@1.2.0`, or what a release that has no version yet is called (`the release in ../previous`). */
export function releaseName(name: string, version: string): string {
  return semver.valid(version) ? `${name}@${version}` : version;
}

/** A break as one line (or a few, indented) that a person reads in a terminal. */
export function describeBreak(each: GateBreak): string {
  if (each.kind === 'target') return `  the ${each.target} container is gone`;
  if (each.kind === 'shared') {
    const was = each.before ? ` (was ${each.before})` : '';
    return `  shared ${each.name}: requires ${each.after}${was}, but ${each.services.join(', ')} ${each.services.length > 1 ? 'provide' : 'provides'} ${each.provided}`;
  }
  const what = each.name === '*' ? each.expose : `${each.expose} ${each.name}`;
  return [`  ${what}`, `      was  ${each.before}`, `      now  ${each.after}`, ...(each.why ? [`      why  ${each.why}`] : [])].join('\n');
}

/** A container's declaration files (RELEASE_TYPES_INDEX and RELEASE_TYPES, beside its entry), when the release has both. */
export function typesFilesOf(manifest: ReleaseManifest, container: ContainerInfo): { index: FileEntry; text: FileEntry } | undefined {
  const dir = path.posix.dirname(container.entry);
  const at = (name: string) => manifest.files.find((file) => file.path === (dir === '.' ? name : `${dir}/${name}`));
  const [index, text] = [at(RELEASE_TYPES_INDEX), at(RELEASE_TYPES)];
  return index && text ? { index, text } : undefined;
}

// --- internal ---

async function contractOf(manifest: ReleaseManifest, read: (file: FileEntry) => Promise<string>): Promise<ReleaseContract> {
  const containers = await Promise.all(
    manifest.containers.map(async (container) => {
      const files = typesFilesOf(manifest, container);
      const types = files ? { index: await read(files.index), text: await read(files.text) } : undefined;
      return { target: container.target, shared: container.shared, types };
    }),
  );
  return { name: manifest.name, version: manifest.version, containers };
}

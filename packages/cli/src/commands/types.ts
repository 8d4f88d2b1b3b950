import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RegistryClient } from '@modmesh/api';
import type { LockedRemote, TypesLock } from '@modmesh/contract';
import type { RemoteSpec } from '@modmesh/host-core';
import { keyIdOf, ModmeshError, parsePublicKey } from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs } from '../args.js';
import { connect } from '../connect.js';
import { type CliContext, createOutput, table } from '../output.js';
import { delegatedPublishers, ROOT_OPTION, trustedRootBytes, verifyRegistry } from '../trust.js';
import { type PulledTypes, pullTypes, type ResolvedRelease, resolveRelease } from '../types-pull.js';

const TARGETS = ['node', 'web'] as const;
// What a host's remotes are called in `import('ALIAS/expose')`: a name, never a path.
const ALIAS = /^[A-Za-z_$][\w$.-]{0,63}$/;

export const typesPullCommand: CommandSpec = {
  name: 'types pull',
  summary: "write the declarations of remotes' releases for a host, so that its imports of them are typed",
  arguments: '[SPEC...]',
  description: [
    "For each SPEC ([ALIAS=]NAME@SPEC, as in createMesh's remotes: auth@stable, auth@^1,",
    'authServiceRemote=auth@stable), resolves the release a host following it runs, verifies its',
    'signed manifest with the publisher keys the host trusts, and writes the declarations the',
    'release carries (`modmesh build` puts them there) into --out: ALIAS.d.ts declares a module per',
    "exposed module ('auth/tokenValidator'), which types a stock host's import() and require();",
    "runtime.d.ts adds each id to @modmesh/runtime's RemoteModules, so that",
    "mesh.import('auth/tokenValidator') and mesh.live(...) are typed without a type argument.",
    'Include --out in your tsconfig. modmesh-types.json there records which release each alias is',
    'from; with no SPEC the aliases it lists are pulled again. Each line says when the types were',
    'older than the release the spec resolves to now; --check only says so, and exits 1',
    '(MODMESH_TYPES_STALE) when they are. With the registry unreachable, or --offline, the release',
    "comes from the host's verified cache (--cache): the state a host recorded for the spec.",
    'Trusted keys: --trust NAME=KEY, or MODMESH_TRUST_<NAME> as the host reads them.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'DIR', default: 'modmesh-types', description: 'where the declarations are written' },
    target: { type: 'string', value: 'node|web', default: 'node', description: 'the container the host runs: node for Node hosts, web for pages' },
    cache: {
      type: 'string',
      value: 'DIR',
      env: 'MODMESH_CACHE_DIR',
      default: '.modmesh/cache',
      description: "the verified release cache (a host's own, or one for types)",
    },
    trust: { type: 'string', value: 'NAME=KEY', multiple: true, description: 'a publisher key trusted for a remote (ed25519:...)' },
    root: {
      ...ROOT_OPTION,
      description: "a host's root of trust (root.json): the releases are verified with the publishers it delegates, the registry verified from it first",
    },
    offline: { type: 'boolean', description: 'read the verified cache only; never the registry' },
    check: { type: 'boolean', description: 'write nothing; exit 1 when the types are older than what the specs resolve to' },
    ...CLIENT_OPTIONS,
  },
  examples: [
    'MODMESH_TRUST_AUTH=ed25519:... modmesh types pull auth@stable',
    'modmesh types pull authServiceRemote=auth@stable --trust auth=ed25519:... --out src/modmesh-types',
    'modmesh types pull --check',
  ],
  run: runTypesPull,
};

async function runTypesPull(args: ParsedArgs, context: CliContext): Promise<void> {
  const output = createOutput(context, args.flag('json'));
  const out = path.resolve(context.cwd, args.need('out'));
  const target = args.need('target');
  if (!isTarget(target)) throw new ModmeshError('MODMESH_USAGE', `--target must be node or web, not ${JSON.stringify(target)}`);
  // Loaded here, not with the CLI: TypeScript and the host runtime take a while to load.
  const [contract, hostCore, runtime] = await Promise.all([import('@modmesh/contract'), import('@modmesh/host-core'), import('@modmesh/runtime')]);
  const lock = readLock(path.join(out, contract.TYPES_LOCK_FILE));
  const remotes = hostCore.parseRemotes(specsOf(args.positionals, lock, out));
  const cache = runtime.createReleaseCache(path.resolve(context.cwd, args.need('cache')));
  const client = args.flag('offline') ? undefined : connect(args, context.env, context.cwd, output);

  // Which release each spec resolves to now, against the one the host's types are from.
  const resolved: { remote: RemoteSpec; release: ResolvedRelease; before: string | undefined }[] = [];
  for (const remote of remotes) {
    const locked = lock?.remotes[remote.alias];
    const known = locked?.spec === `${remote.name}@${remote.spec}` ? locked.version : undefined;
    resolved.push({ remote, release: await resolveRelease(remote, { client, cache, note: output.note }, known), before: locked?.version });
  }
  const rows = resolved.map(({ remote, release, before }) => [
    remote.alias,
    `${remote.name}@${remote.spec}`,
    before === release.version
      ? `${release.version} (up to date)`
      : before === undefined
        ? `${release.version} (new)`
        : `${before} → ${release.version} (the types were older)`,
    release.source === 'cache' ? 'from the verified cache' : '',
  ]);

  if (args.flag('check')) {
    const stale = resolved.filter((each) => each.before !== each.release.version);
    if (stale.length > 0) {
      const list = stale.map(
        ({ remote, release, before }) =>
          `${remote.alias}: ${before ? `types from ${before}` : 'no types'}, ${remote.name}@${remote.spec} is ${release.version}`,
      );
      throw new ModmeshError('MODMESH_TYPES_STALE', `the host's types are older than the releases its specs resolve to: ${list.join('; ')}`, {
        hint: `Run \`modmesh types pull\` (in ${path.relative(context.cwd, out) || '.'}'s project) and fix what the type check then says.`,
      });
    }
    return output.result({ out, stale: [] }, () => table(rows));
  }

  const given = trustArguments(args.values('trust'));
  const delegated = await rootPublishers(args, context.cwd, client, [...new Set(remotes.map((remote) => remote.name))]);
  const pulled: { remote: RemoteSpec; types: PulledTypes; before: string | undefined }[] = [];
  for (const { remote, release, before } of resolved) {
    // A remote the root does not delegate is trusted as without one.
    const fromRoot = delegated?.(remote.name) ?? [];
    const keys = fromRoot.length > 0 ? fromRoot : (given[remote.name] ?? (runtime.trustFromEnv([remote.name], context.env)[remote.name] as string[]));
    const trusted = new Map<string, KeyObject>(keys.map((key) => [keyIdOf(key), parsePublicKey(key)]));
    pulled.push({ remote, types: await pullTypes(remote, release, { client, cache, trusted, target, note: output.note }), before });
  }

  const merged: TypesLock = { schema: contract.TYPES_LOCK_SCHEMA, remotes: { ...lock?.remotes } };
  await mkdir(out, { recursive: true });
  for (const { remote, types } of pulled) {
    await writeAtomic(
      path.join(out, `${remote.alias}.d.ts`),
      contract.remoteTypesFile({ alias: remote.alias, name: types.name, version: types.version, target, declarations: types.declarations }),
    );
    const entry: LockedRemote = {
      spec: `${remote.name}@${remote.spec}`,
      name: types.name,
      version: types.version,
      target,
      exposes: Object.keys(types.declarations.exposes),
    };
    merged.remotes[remote.alias] = entry;
  }
  const all = Object.entries(merged.remotes).map(([alias, entry]) => ({ alias, ...entry }));
  if (resolvable('@modmesh/runtime', out)) await writeAtomic(path.join(out, contract.RUNTIME_TYPES_FILE), contract.runtimeTypesFile(all));
  else output.note(`@modmesh/runtime is not installed where ${out} is: ${contract.RUNTIME_TYPES_FILE} (mesh.import typed by id) was not written`);
  await writeAtomic(path.join(out, contract.TYPES_LOCK_FILE), `${JSON.stringify(merged, null, 2)}\n`);
  output.result(
    {
      out,
      remotes: pulled.map(({ remote, types, before }) => ({
        alias: remote.alias,
        spec: `${remote.name}@${remote.spec}`,
        version: types.version,
        before: before ?? null,
        source: types.source,
      })),
    },
    () => [`wrote the types of ${pulled.length} ${pulled.length === 1 ? 'remote' : 'remotes'} to ${path.relative(context.cwd, out) || '.'}`, ...table(rows)],
  );
}

// --- internal ---

function isTarget(value: string): value is (typeof TARGETS)[number] {
  return (TARGETS as readonly string[]).includes(value);
}

function readLock(file: string): TypesLock | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Partial<TypesLock>;
    return typeof lock.remotes === 'object' && lock.remotes !== null ? (lock as TypesLock) : undefined;
  } catch {
    return undefined;
  }
}

// SPECs as createMesh's remotes (`{ alias: 'name@spec' }`, read by @modmesh/host-core's one grammar), or the lock's.
function specsOf(positionals: string[], lock: TypesLock | undefined, out: string): Record<string, string> {
  const entries: [string, string][] = positionals.map((text) => {
    const equals = text.indexOf('=');
    const value = equals === -1 ? text : text.slice(equals + 1);
    return [equals === -1 ? (value.split('@')[0] ?? value) : text.slice(0, equals), value];
  });
  if (entries.length === 0) entries.push(...Object.entries(lock?.remotes ?? {}).map(([alias, entry]): [string, string] => [alias, entry.spec]));
  // An alias names a file in --out and a module id: never a path.
  const bad = entries.find(([alias]) => !ALIAS.test(alias));
  if (bad) {
    throw new ModmeshError('MODMESH_USAGE', `${JSON.stringify(bad[0])} is not an alias a host imports by`, {
      hint: 'Write ALIAS=NAME@SPEC with ALIAS letters, digits, _, $, - and . (as in authServiceRemote=auth@stable).',
    });
  }
  if (entries.length === 0) {
    throw new ModmeshError('MODMESH_USAGE', `modmesh types pull: no SPEC, and ${path.join(out, 'modmesh-types.json')} lists none to pull again`, {
      hint: 'Name the remotes the host uses: modmesh types pull auth@stable.',
    });
  }
  return Object.fromEntries(entries);
}

function trustArguments(values: string[]): Record<string, string[]> {
  const trust: Record<string, string[]> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals <= 0)
      throw new ModmeshError('MODMESH_USAGE', `--trust ${JSON.stringify(value)} is not NAME=KEY`, {
        hint: "Write --trust auth=ed25519:... (the remote's publisher key).",
      });
    const name = value.slice(0, equals);
    trust[name] = [...(trust[name] ?? []), value.slice(equals + 1)];
  }
  return trust;
}

function resolvable(name: string, from: string): boolean {
  try {
    createRequire(path.join(from, 'noop.js')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

// With --root (or MODMESH_ROOT, as a host with a root reads it): each remote's publishers as the registry's metadata, verified from the root, delegates them.
async function rootPublishers(
  args: ParsedArgs,
  cwd: string,
  client: RegistryClient | undefined,
  names: string[],
): Promise<((name: string) => string[]) | undefined> {
  if (!args.value('root')) return undefined;
  if (!client) {
    throw new ModmeshError(
      'MODMESH_USAGE',
      'with a root of trust, the publishers come from the registry verified from it: --root and --offline do not go together',
      {
        hint: 'Pull online once with --root; offline, give the publisher keys (--trust NAME=KEY).',
      },
    );
  }
  const verified = await verifyRegistry(client, await trustedRootBytes(args, cwd, 'types pull'), { remotes: names });
  return (name) => delegatedPublishers(verified, name);
}

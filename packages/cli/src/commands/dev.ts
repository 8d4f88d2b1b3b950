import { existsSync } from 'node:fs';
import path from 'node:path';
import { isModmeshError, ModmeshError, TAG_NAME } from '@modmesh/manifest';
import { CLIENT_OPTIONS, type CommandSpec, type ParsedArgs } from '../args.js';
import { connect } from '../connect.js';
import { createDevBoard, type DevBoard } from '../dev-board.js';
import { createDevPublisher } from '../dev-publisher.js';
import { findServices } from '../dev-services.js';
import { loadOptional } from '../optional.js';
import { type CliContext, createOutput } from '../output.js';
import { ROOT_OPTION } from '../trust.js';
import { BUNDLER_NAMES, type BuildOptions, type BuildPackage, isOneOf, TARGET_NAMES } from './build.js';

const DEFAULT_TAG = 'dev';
// The registry options of every client command; no --json: the output is a live board.
const { json: _json, ...REGISTRY_OPTIONS } = CLIENT_OPTIONS;

export const devCommand: CommandSpec = {
  name: 'dev',
  summary: 'watch the services of a workspace; publish each change to a registry under a dev tag, for hosts to swap to live',
  arguments: '[DIR...]',
  description: [
    'Watches each service of the workspace (every directory with a modmesh.config.ts: those named, or',
    'else the workspaces of the package.json here, or the directories below), rebuilds one when its',
    'sources change (rspack by default) and publishes the build to the registry as a new prerelease',
    'X.Y.(Z+1)-dev.N of the remote, moving the tag dev to it: every host and page following NAME@dev',
    'swaps to it live. A build that fails shows its errors with file and line, and publishes nothing:',
    'hosts keep the last good release. One line per service says where it is.',
    '',
    'Each remote is published with a dev key and publish token made once and kept in --dev-dir (the',
    "same files `npm start` uses); the first run needs the registry's admin token to register them",
    '(--token, MODMESH_TOKEN, or that of a registry started here). Hosts trust DEV_DIR/NAME.pub.',
    '',
    'A registry whose root of trust delegates the remote takes dev builds only signed: with the root',
    '(--root), DEV_DIR/NAME.key one of its publishers and a mover key (--mover-key), as `npm start`',
    'makes them in .modmesh/dev, each build is published as `modmesh publish --root` does, and hosts',
    'verify it from the root; without them it is MODMESH_DEV_ROOT_MODE, before anything is published.',
  ].join('\n'),
  options: {
    bundler: { type: 'string', value: 'NAME', default: 'rspack', description: 'webpack or rspack' },
    target: { type: 'string', value: 'node|web', multiple: true, description: 'build only this target of each config (default: all)' },
    tag: { type: 'string', value: 'TAG', default: DEFAULT_TAG, description: 'the tag each dev build is published under' },
    'dev-dir': { type: 'string', value: 'DIR', default: '.modmesh/dev', description: 'where dev keys, tokens and builds are kept' },
    ...REGISTRY_OPTIONS,
    token: { type: 'string', value: 'TOKEN', env: 'MODMESH_TOKEN', description: "the registry's admin token, needed the first time only" },
    root: {
      ...ROOT_OPTION,
      description: 'with a registry whose root of trust delegates the remote: the trusted root.json to publish signed with (default DEV_DIR/trust/1.root.json)',
    },
    'mover-key': { type: 'string', value: 'FILE', description: 'then the mover key that signs each move of the tag (default DEV_DIR/mover.key)' },
  },
  examples: [
    'modmesh dev',
    'modmesh dev examples/auth-service --registry http://127.0.0.1:4000',
    'MODMESH_TOKEN=$(cat .modmesh/registry/admin-token) modmesh dev',
  ],
  run: runDev,
};

async function runDev(args: ParsedArgs, context: CliContext): Promise<void> {
  const output = createOutput(context, false);
  const bundler = args.need('bundler');
  if (!isOneOf(BUNDLER_NAMES, bundler))
    throw new ModmeshError('MODMESH_USAGE', `--bundler must be ${BUNDLER_NAMES.join(' or ')}, not ${JSON.stringify(bundler)}`);
  const targets = args.values('target').map((target) => {
    if (!isOneOf(TARGET_NAMES, target)) throw new ModmeshError('MODMESH_USAGE', `--target must be ${TARGET_NAMES.join(' or ')}, not ${JSON.stringify(target)}`);
    return target;
  });
  const tag = args.need('tag');
  if (!TAG_NAME.test(tag)) throw new ModmeshError('MODMESH_INVALID_TAG', `${JSON.stringify(tag)} is not a valid tag name`);
  const devDir = path.resolve(context.cwd, args.need('dev-dir'));
  const [root, moverKey] = [args.value('root'), args.value('mover-key')].map((file) => file && path.resolve(context.cwd, file));
  for (const [option, file] of [
    ['--root', root],
    ['--mover-key', moverKey],
  ] as const) {
    if (file && !existsSync(file)) throw new ModmeshError('MODMESH_USAGE', `${option} ${file}: no such file`, { hint: `Pass the file itself to ${option}.` });
  }

  const build = await loadOptional<BuildPackage>('@modmesh/build', 'dev');
  const configs = await Promise.all(findServices(context.cwd, args.positionals, build.CONFIG_FILES).map((dir) => build.loadConfig({ dir })));
  const clash = configs.find((config, index) => configs.findIndex((other) => other.name === config.name) !== index);
  if (clash) throw new ModmeshError('MODMESH_USAGE', `two services are named ${clash.name}; each remote is one service`, { remote: clash.name });
  const client = connect(args, context.env, context.cwd, output);
  const board = createDevBoard(
    context.stdout,
    configs.map((config) => config.name),
  );

  const sessions: { close(): Promise<void> }[] = [];
  const stopped = waitForSignal();
  try {
    for (const config of configs) {
      const publisher = await createDevPublisher({
        name: config.name,
        devDir,
        client,
        adminToken: args.value('token'),
        tag,
        context,
        ...(root && { root }),
        ...(moverKey && { moverKey }),
      });
      const options: BuildOptions = { dir: config.dir, bundler, targets, outDir: path.join(devDir, 'builds', config.name) };
      sessions.push(await build.watchRelease(options, listenerFor(config.name, publisher, board)));
    }
    output.note(
      `following ${configs.length} ${configs.length === 1 ? 'service' : 'services'} into ${client.url} under the tag ${tag}; hosts trust ${path.relative(context.cwd, devDir) || '.'}/NAME.pub; Ctrl-C stops`,
    );
    await stopped.promise;
  } finally {
    stopped.dispose();
    await Promise.all(sessions.map((session) => session.close()));
  }
}

// --- internal ---

type Publisher = Awaited<ReturnType<typeof createDevPublisher>>;

// Each build of one service: published as the next dev version, or its errors shown with the release hosts keep.
function listenerFor(name: string, publisher: Publisher, board: DevBoard) {
  let live = publisher.tagged;
  const keeps = (): string => (live ? ` (hosts keep ${live})` : '');
  return {
    onStart: () => board.set(name, 'building'),
    async onBuild(result: { ms: number; outDir: string; warnings: string }): Promise<void> {
      if (result.warnings) board.print(`${name}: ${result.warnings}`);
      board.set(name, 'publishing', `(built in ${result.ms} ms)`);
      const started = performance.now();
      try {
        const outcome = await publisher.publish(result.outDir);
        if (outcome === 'unchanged') return board.set(name, 'unchanged', live ? `${live} stays live` : '');
        live = outcome.version;
        board.set(name, 'live', `${outcome.version} (build ${result.ms} ms, publish ${Math.round(performance.now() - started)} ms)`);
      } catch (error) {
        board.set(name, 'failed', `not published${keeps()}`);
        board.print(
          isModmeshError(error) ? `${name}: error ${error.code}: ${error.message}\n  hint: ${error.hint}` : `${name}: ${(error as Error)?.stack ?? error}`,
        );
      }
    },
    onError(error: ModmeshError): void {
      board.set(name, 'failed', `build failed${keeps()}`);
      board.print(`${name}: error ${error.code}: ${error.message}`);
    },
  };
}

function waitForSignal(): { promise: Promise<void>; dispose(): void } {
  let stop = (): void => {};
  const promise = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    promise,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

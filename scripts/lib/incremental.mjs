// Build steps that run only when what they are built from changed: a content hash of every
// input file and of the settings that shape the output (environment variables, options),
// chained through the steps each one builds on, is kept beside a hash of what the step
// produced. A step is skipped when both still match, so an output deleted or edited by hand is
// rebuilt too. The same idea as `npm start`'s publish step, which publishes only new bytes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Never inputs of a build: its outputs, installed packages, and local state (.env, .modmesh);
// a step that does read one of these lists the file itself.
const IGNORED_NAMES = new Set(['dist', 'node_modules', 'test-artifacts', 'coverage']);
const STAMP_VERSION = 1;

/**
 * @typedef {object} BuildStep
 * @property {string} name            shown to the user, and the stamp's file name
 * @property {string[]} inputs        files and directories (walked) the output is made from
 * @property {Record<string, unknown>} [settings]  anything else that shapes the output
 * @property {string[]} [after]       steps this one builds on: it runs after them, and a change
 *                                    of their inputs is a change of its own
 * @property {string[]} outputs       directories the step writes; emptied before it runs when
 *                                    `clean` is set, so they hold exactly one build. Another
 *                                    step's outputs inside them are not part of them.
 * @property {boolean} [clean]
 * @property {{ command: string, args: string[], env?: Record<string, string | undefined> }} run
 */

/**
 * A builder that runs steps in dependency order, as many at once as the machine has cores,
 * skipping each whose inputs and outputs are as they were after its last successful run.
 * `run` can be called more than once (a later batch may build on steps of an earlier one); it
 * resolves once every step of the batch is done, or rejects with the first failure (its output
 * attached) after the steps already running have ended.
 * @param {{ root: string, stampDir: string, env: NodeJS.ProcessEnv, onStep: (event: { step: string, state: 'skipped' | 'built', ms: number }) => void, onChild?: (child: import('node:child_process').ChildProcess) => void }} options
 * @returns {{ run(steps: BuildStep[]): Promise<void> }}
 */
export function createBuilder({ root, stampDir, env, onStep, onChild }) {
  const known = new Map();
  // Every step's outputs, also of steps not defined yet in this run (read from their stamps):
  // one step's output directory may hold another's (a package's dist/ and a container in it).
  const allOutputs = () => [...new Set([...[...known.values()].flatMap((step) => step.outputs), ...stampedOutputs(root, stampDir)])];
  const digests = new Map();
  const done = new Set();
  const digestOf = (name) => {
    if (!digests.has(name)) {
      const step = known.get(name);
      if (!step) throw new Error(`build step "${name}" is not defined`);
      digests.set(name, inputDigest(root, step, digestOf));
    }
    return digests.get(name);
  };

  return {
    async run(steps) {
      for (const step of steps) known.set(step.name, step);
      const running = new Map();
      const limit = Math.max(1, os.availableParallelism());
      const pending = () => steps.filter((step) => !done.has(step.name));
      let failure;
      while (pending().length > 0 && !failure) {
        for (const step of pending()) {
          if (running.size >= limit) break;
          if (running.has(step.name) || !(step.after ?? []).every((name) => done.has(name))) continue;
          const outcome = runStep({
            root,
            stampDir,
            step,
            env,
            onChild,
            digest: digestOf(step.name),
            others: allOutputs().filter((dir) => !step.outputs.includes(dir)),
          }).then(
            (event) => {
              onStep(event);
              done.add(step.name);
              running.delete(step.name);
            },
            (error) => {
              failure ??= error;
              running.delete(step.name);
            },
          );
          running.set(step.name, outcome);
        }
        if (running.size === 0) break;
        await Promise.race(running.values());
      }
      await Promise.all(running.values());
      if (failure) throw failure;
      const stuck = pending().map((step) => step.name);
      if (stuck.length > 0) throw new Error(`build steps never became ready (a cycle, or an unknown step in "after"): ${stuck.join(', ')}`);
    },
  };
}

/** Every regular file under `target` (or `target` itself), sorted, skipping IGNORED_NAMES and dot-files. */
export function listInputFiles(target) {
  if (!existsSync(target)) return [];
  if (statSync(target).isFile()) return [target];
  const found = [];
  for (const entry of readdirSync(target, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (IGNORED_NAMES.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) found.push(...listInputFiles(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

// --- internal ---

async function runStep({ root, stampDir, step, env, onChild, digest, others }) {
  const started = performance.now();
  const stampFile = path.join(stampDir, `${step.name.replace(/[^a-zA-Z0-9._-]+/g, '_')}.json`);
  const stamp = readStamp(stampFile);
  if (stamp?.inputs === digest && stamp.outputs === outputDigest(step.outputs, others)) {
    return { step: step.name, state: 'skipped', ms: performance.now() - started };
  }
  // A failed or interrupted run must not look finished next time.
  rmSync(stampFile, { force: true });
  if (step.clean) for (const dir of step.outputs) rmSync(dir, { recursive: true, force: true });
  await spawnStep(root, step, env, onChild);
  mkdirSync(stampDir, { recursive: true });
  const temp = `${stampFile}.tmp`;
  const dirs = step.outputs.map((dir) => path.relative(root, dir));
  writeFileSync(temp, `${JSON.stringify({ version: STAMP_VERSION, inputs: digest, outputs: outputDigest(step.outputs, others), dirs })}\n`);
  renameSync(temp, stampFile);
  return { step: step.name, state: 'built', ms: performance.now() - started };
}

function spawnStep(root, step, env, onChild) {
  return new Promise((resolve, reject) => {
    const child = spawn(step.run.command, step.run.args, { cwd: root, env: { ...env, ...step.run.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    onChild?.(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) => reject(Object.assign(error, { step: step.name, output })));
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      reject(Object.assign(new Error(`${step.name} failed (${signal ?? `exit ${code}`})`), { step: step.name, output }));
    });
  });
}

function inputDigest(root, step, digestOf) {
  const hash = createHash('sha256');
  hash.update(`modmesh build step v${STAMP_VERSION}\0${JSON.stringify(step.run)}\0${JSON.stringify(step.settings ?? {})}\0`);
  for (const after of step.after ?? []) hash.update(`after ${after} ${digestOf(after)}\0`);
  for (const input of step.inputs) {
    for (const file of listInputFiles(input)) {
      // Relative: a checkout moved elsewhere is not a change.
      hash.update(`${path.relative(root, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

// Undefined when an output directory is missing or empty: there is nothing to keep.
function outputDigest(dirs, others) {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    const files = existsSync(dir) ? walkAll(dir, new Set(others)) : [];
    if (files.length === 0) return undefined;
    for (const file of files) {
      hash.update(`${path.relative(dir, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}

function walkAll(dir, skip) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (skip.has(full)) continue;
    if (entry.isDirectory()) found.push(...walkAll(full, skip));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

function stampedOutputs(root, stampDir) {
  if (!existsSync(stampDir)) return [];
  return readdirSync(stampDir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => readStamp(path.join(stampDir, name))?.dirs ?? [])
    .map((dir) => path.resolve(root, dir));
}

function readStamp(file) {
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8'));
    return stamp?.version === STAMP_VERSION ? stamp : undefined;
  } catch {
    return undefined;
  }
}

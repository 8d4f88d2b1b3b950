import path from 'node:path';
import { type EmittedDeclarations, emitDeclarationsInWorker, typesIndexOf } from '@modmesh/contract';
import { RELEASE_TYPES, RELEASE_TYPES_INDEX } from '@modmesh/manifest';
import type { Compiler } from 'webpack';
import type { ResolvedConfig, ResolvedTarget } from './resolve-config.js';

/**
 * Adds the declarations of a target's exposed modules to its container (RELEASE_TYPES and its
 * index), so that they are in the release and its signed manifest: what `modmesh types pull`
 * gives hosts and what the publish gate compares. What TypeScript cannot declare is a warning
 * of the build naming the file and line (the declaration says `any` there); the build goes on.
 */
export function applyTypes(compiler: Compiler, config: ResolvedConfig, target: ResolvedTarget): void {
  const { webpack } = compiler;
  let emitting: Promise<EmittedDeclarations> | undefined;
  // Started with the compile, in a worker: TypeScript runs while the bundler does.
  compiler.hooks.beforeCompile.tap('ModmeshTypes', function startDeclarations() {
    emitting = emitDeclarationsInWorker({ dir: config.dir, tsconfig: config.tsconfig, exposes: target.exposes, target: target.target });
    emitting.catch(() => undefined);
  });
  compiler.hooks.thisCompilation.tap('ModmeshTypes', function addDeclarations(compilation) {
    compilation.hooks.processAssets.tapPromise({ name: 'ModmeshTypes', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, async () => {
      const declarations = await (emitting ??
        emitDeclarationsInWorker({ dir: config.dir, tsconfig: config.tsconfig, exposes: target.exposes, target: target.target }));
      emitting = undefined;
      compilation.emitAsset(RELEASE_TYPES, new webpack.sources.RawSource(declarations.text));
      const index = typesIndexOf(config.name, target.target, declarations);
      compilation.emitAsset(RELEASE_TYPES_INDEX, new webpack.sources.RawSource(`${JSON.stringify(index, null, 2)}\n`));
      for (const problem of declarations.problems) {
        const where = problem.file ? `${path.relative(config.dir, problem.file)}:${problem.line}:${problem.column}: ` : '';
        compilation.warnings.push(new webpack.WebpackError(`${where}the declaration of an exposed module: ${problem.message}`));
      }
    });
  });
}

import type { Compilation, Compiler } from 'webpack';

export interface ModmeshWebPluginOptions {
  /** The container's name, as given to ModuleFederationPlugin (its `var` library name too). */
  name: string;
  /** Tells this build from every other build of the same remote: `sourceDigest(...)`. */
  buildId: string;
}

/** The page global through which the modmesh browser runtime and a container talk. */
export const WEB_GLOBAL = '__modmesh_web__';

// A well-formed digest that no content hashes to: a chunk the signed manifest does not list is
// refused by the browser itself, rather than loaded unchecked (an empty or malformed integrity
// attribute would mean "no check").
const REFUSE_INTEGRITY = `sha384-${'A'.repeat(64)}`;

/**
 * Makes a browser Module Federation container loadable by the modmesh browser runtime:
 *
 * - every chunk `<script>` the container adds carries `integrity` (and `crossorigin`) from the
 *   signed manifest, which the runtime supplies, so the browser refuses altered bytes;
 * - the entry hands its container to the runtime when it runs, so two releases of one remote on
 *   one page never meet through a shared global (the `var` global is overwritten, the handoff is
 *   not), and a container built without this plugin is refused;
 * - the chunk-loading global and `uniqueName` carry the build id, so an old and a new release
 *   on the same page never take each other's chunks during a live swap.
 *
 * Takes webpack from the compiler it is given, so one code path serves webpack and rspack (whose
 * script hook is RuntimePlugin's where webpack's is LoadScriptRuntimeModule's).
 */
export class ModmeshWebPlugin {
  readonly #options: ModmeshWebPluginOptions;

  constructor(options: ModmeshWebPluginOptions) {
    if (!/^[A-Za-z_$][\w$]*$/.test(options.name)) throw new TypeError(`ModmeshWebPlugin: "${options.name}" is not a usable container (library) name`);
    if (!/^[0-9a-z]+$/.test(options.buildId)) throw new TypeError(`ModmeshWebPlugin: buildId must be lowercase letters and digits, got "${options.buildId}"`);
    this.#options = options;
  }

  apply(compiler: Compiler): void {
    const { name, buildId } = this.#options;
    const { webpack } = compiler;
    const unique = `${name}_${buildId}`;
    // Set before webpack applies its defaults, which would derive both from package.json.
    compiler.options.output.uniqueName = unique;
    compiler.options.output.chunkLoadingGlobal = `webpackChunk_${unique}`;

    compiler.hooks.thisCompilation.tap('ModmeshWebPlugin', (compilation) => {
      createScriptHook(compiler, compilation).tap('ModmeshWebPlugin', (source: string) =>
        webpack.Template.asString([
          source,
          `var modmeshWeb = typeof self !== 'undefined' && self[${JSON.stringify(WEB_GLOBAL)}];`,
          `script.integrity = (modmeshWeb && typeof modmeshWeb.integrity === 'function' && modmeshWeb.integrity(script.src)) || ${JSON.stringify(REFUSE_INTEGRITY)};`,
          'script.crossOrigin = "anonymous";',
        ]),
      );
    });

    new webpack.BannerPlugin({
      raw: true,
      footer: true,
      entryOnly: true,
      include: /(^|\/)remoteEntry\.js$/,
      banner: [
        `;(function (container) {`,
        `  var modmeshWeb = typeof self !== 'undefined' && self[${JSON.stringify(WEB_GLOBAL)}];`,
        `  if (modmeshWeb && typeof modmeshWeb.register === 'function') modmeshWeb.register(${JSON.stringify({ name, buildId })}, container);`,
        `})(typeof ${name} !== 'undefined' ? ${name} : undefined);`,
      ].join('\n'),
    }).apply(compiler);
  }
}

// --- internal ---

interface ScriptHook {
  tap(name: string, fn: (source: string) => string): void;
}

// The hook through which a bundler's runtime creates a chunk's <script>: webpack's
// LoadScriptRuntimeModule, or rspack's RuntimePlugin (same arguments: the code, `script` in scope).
function createScriptHook(compiler: Compiler, compilation: Compilation): ScriptHook {
  const api = compiler.webpack as unknown as {
    runtime?: { LoadScriptRuntimeModule?: { getCompilationHooks(compilation: Compilation): { createScript: ScriptHook } } };
    RuntimePlugin?: { getCompilationHooks?(compilation: Compilation): { createScript: ScriptHook } };
  };
  const hooks = api.runtime?.LoadScriptRuntimeModule?.getCompilationHooks(compilation) ?? api.RuntimePlugin?.getCompilationHooks?.(compilation);
  if (!hooks) throw new TypeError('ModmeshWebPlugin: this bundler has no hook to create chunk scripts (webpack 5 or rspack 1.2+ is needed)');
  return hooks.createScript;
}

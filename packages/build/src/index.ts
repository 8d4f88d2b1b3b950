export { type BuildOptions, type BuildResult, buildRelease, type ReleaseWatcher, type TargetResult, type WatchListener, watchRelease } from './build.js';
export { BUNDLERS, type Bundler, createBundlerConfig } from './bundler-config.js';
export { type DefineValue, defineConfig, type ModmeshConfig, type SharedOptions, TARGETS, type Target } from './config-schema.js';
export { CONFIG_FILES, loadConfig } from './load-config.js';
export { BUILD_INFO_SCHEMA, type BuildInfo, CONTAINER_ENTRY, ModmeshPlugin, type ModmeshPluginOptions } from './plugin.js';
export {
  type ConfigIssue,
  checkConfig,
  configError,
  DEFAULT_OUT_DIR,
  type ResolvedConfig,
  type ResolvedShared,
  type ResolvedTarget,
  resolveConfig,
} from './resolve-config.js';
export { sourceDigest } from './source-digest.js';
export { ModmeshWebPlugin, type ModmeshWebPluginOptions, WEB_GLOBAL } from './web-plugin.js';

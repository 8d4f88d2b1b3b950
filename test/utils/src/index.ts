export { type Balancer, startBalancer } from './balancer.js';
export { ARTIFACTS_DIR, artifactPath, browserUnavailable, CHROMIUM, launchChromium } from './browser.js';
export { type AuthBuild, authEnv, buildAuthRemote, repoRoot, requireCompiled } from './builds.js';
export { copyCheckout } from './checkout.js';
export { type CliPublisher, type CliRegistry, startCliRegistry } from './cli-registry.js';
export {
  type EndlessAnswer,
  type EndlessPace,
  type Fault,
  type FaultOptions,
  type FaultProxy,
  type ForgedAnswer,
  type RecordedAnswer,
  startFaultProxy,
} from './fault-proxy.js';
export { type JsonResponse, pollUntil, requestJson } from './http.js';
export { importsOf } from './imports.js';
export { type Load, type LoadOptions, type LoadResult, startLoad } from './load.js';
export { createTestDatabase, POSTGRES_SETUP, POSTGRES_URL_VARIABLE, postgresUnavailable, type TestDatabase } from './postgres.js';
export {
  type LogLine,
  type RunScriptOptions,
  runScript,
  type ScriptResult,
  type ServiceProcess,
  type StartServiceOptions,
  startService,
  stopAllServices,
} from './process.js';
export { createRemoteProject, type RemoteProject, removeRemoteProjects } from './projects.js';
export { counter } from './prometheus.js';
export { freePort, startSilentServer, startStaticServer, type TestServer } from './servers.js';
export { buildStockRemote, type StockRemoteOptions } from './stock-remotes.js';
export { createTufRepository, generateTufKey, releaseManifest, type TufKeyPair, type TufRepository } from './tuf-repo.js';

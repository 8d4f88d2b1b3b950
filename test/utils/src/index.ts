export { type AuthBuild, authEnv, buildAuthRemote, repoRoot, requireCompiled } from './builds.js';
export { type JsonResponse, pollUntil, requestJson } from './http.js';
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
export { freePort, startSilentServer, startStaticServer, type TestServer } from './servers.js';

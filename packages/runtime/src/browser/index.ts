export type { RemoteModuleId, RemoteModules } from '../remote-modules.js';
export {
  type BrowserMesh,
  type BrowserMeshEvent,
  type BrowserMeshOptions,
  type BrowserSharedPackage,
  createBrowserMesh,
  type RemoteState,
  type TrustStatus,
} from './mesh.js';

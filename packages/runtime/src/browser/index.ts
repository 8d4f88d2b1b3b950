export {
  type BrowserMesh,
  type BrowserMeshEvent,
  type BrowserMeshOptions,
  type BrowserSharedPackage,
  createBrowserMesh,
  type RemoteState,
} from './mesh.js';

// The host's Module Federation options, in their own file so that the same options build it with
// webpack (webpack.config.js) or rspack (@module-federation/enhanced/rspack takes them as they
// are; the tests build both).
module.exports = {
  name: 'userServiceHost',
  remotes: {
    // Point to the Auth Service's remoteEntry.js (never fetched: the runtime plugin below
    // resolves authServiceRemote at the registry and runs only verified bytes).
    authServiceRemote: 'authServiceRemote@http://localhost:3001/remoteEntry.js',
  },
  shared: {
    jsonwebtoken: { singleton: true, requiredVersion: '^9.0.0' },
    express: { singleton: true, requiredVersion: '^5.0.0' },
  },
  // modmesh: one runtime plugin; which release each remote follows. The registry and the
  // root of trust (or publisher keys) come from the environment (MODMESH_REGISTRY, MODMESH_ROOT).
  runtimePlugins: [[require.resolve('@modmesh/runtime/federation-plugin'), { remotes: { authServiceRemote: 'auth@stable' }, service: 'stock-user-service' }]],
  experiments: { asyncStartup: true }, // modmesh: the documents' index.js requires the remote at its top
  dts: false,
};

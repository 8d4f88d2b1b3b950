// Small generated remotes for the scale and swap benchmarks: a hand-written Module Federation
// container (init/get) exposing ./greeter, published and signed through the registry's API.
import { generatePublisherKeyPair, signRelease } from '@modmesh/manifest';
import { sha256 } from './lib.mjs';

/** The files of a generated remote whose greeter says `message`. */
export function greeterFiles(message) {
  return new Map([
    [
      'remoteEntry.js',
      Buffer.from(`const modules = { './greeter': () => ({ greet: () => ${JSON.stringify(message)} }) };
module.exports = {
  init() {},
  get(expose) {
    return modules[expose] ? Promise.resolve(modules[expose]) : Promise.reject(new Error('Module "' + expose + '" does not exist in container.'));
  },
};`),
    ],
  ]);
}

/** A publisher for remotes on a registry (admin token), talking to its HTTP API directly. */
export function createPublisher(registryUrl, adminToken) {
  const key = generatePublisherKeyPair();
  const call = async (method, route, body, type = 'application/json') => {
    const response = await fetch(registryUrl + route, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': type }, body });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const tags = new Map();
  return {
    publicKey: key.publicKey,
    async trust(name) {
      await call('POST', `/v1/remotes/${name}/keys`, JSON.stringify({ publicKey: key.publicKey }));
    },
    async publish(name, version, files) {
      for (const bytes of files.values()) await call('PUT', `/v1/remotes/${name}/blobs/${sha256(bytes)}`, bytes, 'application/octet-stream');
      const manifest = {
        schema: 'modmesh.release/v1',
        name,
        version,
        files: [...files].map(([path, bytes]) => ({ path, size: bytes.length, sha256: sha256(bytes) })),
        containers: [{ target: 'node', name, entry: 'remoteEntry.js', exposes: [{ name: './greeter' }], shared: [] }],
        build: { bundler: 'hand-written', bundlerVersion: '1', createdAt: new Date().toISOString() },
      };
      await call('POST', `/v1/remotes/${name}/releases`, JSON.stringify(signRelease(manifest, key.privateKeyPem)));
    },
    async tag(name, version, tag = 'stable') {
      await call('PUT', `/v1/remotes/${name}/tags/${tag}`, JSON.stringify({ version, expect: tags.get(`${name}@${tag}`) ?? null }));
      tags.set(`${name}@${tag}`, version);
    },
  };
}

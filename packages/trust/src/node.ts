// @modmesh/trust/node: what only Node can do (node:crypto, private keys). Everything else is in
// the platform-free main entry.
export { createNodeCrypto, createNodeSigner, tufKeyOfPublicKey } from './node-crypto.js';

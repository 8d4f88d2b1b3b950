// The Node entry of @modmesh/api: the node:http transport (separate connect, first-byte and total
// deadlines, keep-alive, no fetch start-up cost). Everything else is in the main entry.
export { createNodeTransport } from './node-transport.js';

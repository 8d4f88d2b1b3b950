// The error catalogue and the error class alone: what a platform-free package (the registry
// client, the host core) needs of @modmesh/manifest, without its schema or crypto.
export { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';
export { type ErrorSubject, isModmeshError, ModmeshError, type ModmeshErrorJson, type ModmeshErrorOptions } from './errors.js';

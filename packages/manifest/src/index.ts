export { ERROR_CATALOGUE, type ErrorCode } from './catalogue.js';
export { type ErrorSubject, isModmeshError, ModmeshError, type ModmeshErrorJson, type ModmeshErrorOptions } from './errors.js';

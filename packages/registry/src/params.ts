import { isModmeshError, ModmeshError } from '@modmesh/manifest';
import type { FastifyServerOptions } from 'fastify';
import { checkName, checkTag, checkVersion } from './validate.js';

/** A path parameter the registry checks, and the rule in validate.ts that checks it. */
export type CheckedParam = keyof typeof PARAM_CHECKS;

/**
 * The JSON schema of a route's path parameters, checked in the order given (so `name` is
 * refused before the `version` or `tag` of it). Each is checked by fastify's validation before
 * the handler runs, through the `modmesh` keyword, which applies the rule of validate.ts and
 * answers with its coded error: the same code and message as a check in the handler would.
 *
 * @example
 * app.get('/v1/remotes/:name/releases/:version', { schema: { params: paramsSchema('name', 'version') } }, handler);
 */
export function paramsSchema(...names: CheckedParam[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string', modmesh: name }])),
    required: names,
  };
}

/** Fastify's `ajv` option: teaches its validator the `modmesh` keyword. */
export const SCHEMA_OPTIONS: FastifyServerOptions['ajv'] = { plugins: [addModmeshKeyword] };

/** Turns a failed schema check into the coded error a user sees (fastify's `schemaErrorFormatter`). */
export function schemaErrorFormatter(errors: SchemaError[], dataVar: string): Error {
  const [first] = errors;
  const coded = first?.params?.error;
  if (isModmeshError(coded)) return coded;
  return new ModmeshError('MODMESH_BAD_REQUEST', `${dataVar}${first?.instancePath ?? ''} ${first?.message ?? 'is not valid'}`);
}

// --- internal ---

interface SchemaError {
  instancePath?: string;
  message?: string;
  params?: { error?: unknown };
}

// The remote a version or tag belongs to is named in its error, as the handlers did.
const PARAM_CHECKS = {
  name: (value: unknown) => checkName(value),
  version: (value: unknown, remote: string | undefined) => checkVersion(value, remote),
  tag: (value: unknown, remote: string | undefined) => checkTag(value, remote),
};

// Fastify's own Ajv, typed through fastify (the registry does not depend on ajv itself).
type AjvPlugin = Extract<NonNullable<Extract<FastifyServerOptions['ajv'], { plugins?: unknown }>['plugins']>[number], (...args: never[]) => unknown>;
type Ajv = Parameters<AjvPlugin>[0];

function addModmeshKeyword(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: 'modmesh',
    schemaType: 'string',
    errors: true,
    validate: function modmesh(kind: CheckedParam, data: unknown, _schema: unknown, context?: { rootData: object }): boolean {
      const remote = (context?.rootData as { name?: unknown } | undefined)?.name;
      try {
        PARAM_CHECKS[kind](data, typeof remote === 'string' ? remote : undefined);
        return true;
      } catch (error) {
        (modmesh as { errors?: SchemaError[] }).errors = [{ message: (error as Error).message, params: { error } }];
        return false;
      }
    },
  });
  return ajv;
}

import * as z from 'zod/mini';

// The schema of modmesh.config.ts: the single source of its TypeScript types (ModmeshConfig is
// inferred from it) and of the first check of what a user wrote. Rules that need the disk (does
// an expose's file exist, is a shared package installed) run after it, in resolve-config.ts.

/** Where a container runs: Node hosts or browsers (the release's `node/` and `web/`). */
export const TARGETS = ['node', 'web'] as const;
export type Target = (typeof TARGETS)[number];

/** A build-time constant: any JSON value. modmesh writes it into the code as JSON, so a string stays a string. */
export type DefineValue = string | number | boolean | null | DefineValue[] | { [key: string]: DefineValue };

/** Any JSON value (a build-time constant). */
export const jsonValue: z.ZodMiniType<DefineValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const definesSchema = z.union([
  z.record(z.string().check(z.regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'must be an identifier such as __API_URL__')), jsonValue),
  // Called only when a target that uses them is built (a key that only one target needs).
  // (Its result is checked when it is called: an interface such as a JWK type is no index signature.)
  z.custom<() => Record<string, unknown>>((value) => typeof value === 'function', 'must be an object of constants or a function returning one'),
]);

const sharedEntrySchema = z.union([
  z.literal(true),
  z.strictObject({
    /** One copy in the whole process or page. @default true */
    singleton: z.optional(z.boolean()),
    /** The range this remote accepts from the host. @default "^MAJOR.0.0" of the installed version */
    requiredVersion: z.optional(z.union([z.string().check(z.minLength(1)), z.literal(false)])),
    /** The version this remote provides. @default the installed version */
    version: z.optional(z.string().check(z.minLength(1))),
    strictVersion: z.optional(z.boolean()),
    eager: z.optional(z.boolean()),
  }),
]);

const exposesSchema = z.record(z.string(), z.string().check(z.minLength(1, 'must be the path of a source file')));
const sharedSchema = z.union([z.array(z.string().check(z.minLength(1))), z.record(z.string().check(z.minLength(1)), sharedEntrySchema)]);

/** What one target adds to (or overrides in) the top-level options. */
const targetOptionsSchema = z.strictObject({
  exposes: z.optional(exposesSchema),
  shared: z.optional(sharedSchema),
  defines: z.optional(definesSchema),
});

export const configSchema = z.strictObject({
  /** The remote's name: its registry name and its Module Federation container name. */
  name: z.string(),
  /** Modules other services import: `{ './tokenValidator': './src/tokenValidator.ts' }`, for every target. */
  exposes: z.optional(exposesSchema),
  /** Packages shared with the host: names (`['jsonwebtoken']`) or `{ name: options }`; versions from what is installed. */
  shared: z.optional(sharedSchema),
  /** Build-time constants, as JSON values: `{ __API_URL__: 'https://...' }`. */
  defines: z.optional(definesSchema),
  /**
   * Where the containers run: `['node']`, `['web']`, both, or per target what it adds:
   * `{ node: { exposes: {...} }, web: { exposes: {...}, shared: { react: true } } }`. @default ["node"]
   */
  targets: z.optional(z.union([z.array(z.string()), z.record(z.string(), z.union([z.literal(true), targetOptionsSchema]))])),
  /** The release directory (`node/`, `web/`), relative to the config. @default "dist/release" */
  outDir: z.optional(z.string().check(z.minLength(1))),
  /** The tsconfig TypeScript is compiled with (its `module` is set to esnext). @default "tsconfig.json" when there is one */
  tsconfig: z.optional(z.string().check(z.minLength(1))),
  /** Write source maps beside the code (kept in the release, for stack traces). @default true */
  sourceMaps: z.optional(z.boolean()),
  /** Write the declarations of the exposed modules beside each container (hosts' types, the publish gate). @default true */
  types: z.optional(z.boolean()),
});

/** What `modmesh.config.ts` exports (through `defineConfig`). */
export type ModmeshConfig = z.input<typeof configSchema>;
export type SharedOptions = Exclude<z.input<typeof sharedEntrySchema>, true>;

/** The keys a modmesh.config.ts may have, and a target's: for "did you mean" hints. */
export const CONFIG_KEYS = Object.keys(configSchema.def.shape);
export const TARGET_KEYS = Object.keys(targetOptionsSchema.def.shape);
export const SHARED_KEYS = ['singleton', 'requiredVersion', 'version', 'strictVersion', 'eager'];

/**
 * Types the config of a modmesh remote; returns it unchanged. The config is checked when it is
 * built (`modmesh build`, or `ModmeshPlugin`), and every mistake names its field.
 *
 * @example
 * // modmesh.config.ts
 * import { defineConfig } from '@modmesh/build';
 *
 * export default defineConfig({
 *   name: 'auth',
 *   exposes: { './tokenValidator': './src/tokenValidator.ts' },
 *   shared: ['jsonwebtoken'],
 * });
 */
export function defineConfig(config: ModmeshConfig): ModmeshConfig {
  return config;
}

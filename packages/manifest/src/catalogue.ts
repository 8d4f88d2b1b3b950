/**
 * Every MODMESH_* code, what it means, and what to do about it. A code is never reused for
 * another meaning; `catalogue.test.ts` pins this list, so removing or renaming one is a
 * deliberate, reviewed change.
 */
export const ERROR_CATALOGUE = {
  MODMESH_REMOTE_UNREACHABLE: {
    description: 'A remote or registry could not be connected to (refused, reset, DNS, or no connection within the connect deadline).',
    hint: 'Check that the service is running and that the URL and port are right.',
  },
  MODMESH_REMOTE_TIMEOUT: {
    description: 'A remote or registry accepted the request but did not answer, or not completely, within its deadline.',
    hint: 'The service is overloaded or stuck; check it, or raise the deadline if it is legitimately slow.',
  },
  MODMESH_REMOTE_BAD_STATUS: {
    description: 'A remote or registry answered with an HTTP status other than 200 for a file modmesh needs.',
    hint: 'Check that the file exists at that URL (a 404 often means a wrong URL or a deploy that deleted files hosts still use).',
  },
  MODMESH_REMOTE_BAD_CONTENT_TYPE: {
    description:
      'A remote answered with a content type that is not what the file must be (for example an HTML page instead of JavaScript); nothing was evaluated.',
    hint: 'Something other than the remote answered at that URL (a proxy, an error page, a wrong port); check the URL.',
  },
  MODMESH_REMOTE_INCOMPLETE: {
    description:
      'A response ended before its body was complete (the connection dropped mid-body, or fewer bytes than declared arrived); nothing of it was used.',
    hint: 'The server or a proxy between cut the connection; it is retried. If it persists, check the server and the network path.',
  },
  MODMESH_REMOTE_TOO_LARGE: {
    description: 'A response was larger than the size limit for that kind of file; the download was stopped.',
    hint: 'Check the URL; if the file is legitimately this large, raise the limit.',
  },
  // --- fetching remotes ---
  MODMESH_REMOTE_MANIFEST_INVALID: {
    description: "A remote's Module Federation manifest (mf-manifest.json) is not valid JSON or lacks what is needed to load it.",
    hint: 'Publish the mf-manifest.json your build wrote, unedited; or delete it and describe the container with `modmesh publish --entry FILE --expose ./NAME`.',
  },
  MODMESH_REMOTE_EVALUATION_FAILED: {
    description: "A remote's entry or chunk threw while being evaluated, or the entry exported no Module Federation container (an object with init and get).",
    hint:
      "If it threw, the remote's code is broken: see the cause. If it exported no container, build it for Node (target 'async-node') with library type " +
      "'commonjs-module' (a library name is fine); library types such as 'var' or 'module' export nothing a Node host can use.",
  },
  MODMESH_CHUNK_NOT_IN_RELEASE: {
    description: "A remote's code asked to load a file that is not part of the set of files that was fetched and checked for it; it was refused.",
    hint: "The remote's manifest does not list every file its entry loads; rebuild and republish the remote.",
  },
  MODMESH_SRI_UNSUPPORTED: {
    description:
      "A browser container did not hand itself to the modmesh runtime when it ran: it was built without @modmesh/build's ModmeshWebPlugin, so its chunks would load without Subresource Integrity. It was not used.",
    hint: "Add new ModmeshWebPlugin({ name, buildId }) to the remote's webpack config beside ModuleFederationPlugin, rebuild and republish.",
  },
  MODMESH_CONTAINER_NAME_CLASH: {
    description:
      "A remote's container would have joined a Module Federation instance that is not its own (the host's, or another runtime's in the process): its build claims that instance's name and its entry made no instance of its own. It was not used.",
    hint: "Rename the remote's container (the plugin's `name`), or build it with @module-federation/enhanced or rspack, whose containers make their own instance.",
  },
  MODMESH_EXPOSE_NOT_FOUND: {
    description: 'A remote does not expose the module that was asked for.',
    hint: 'Check the module name against the remote\'s exposes (for example "auth/tokenValidator").',
  },
  MODMESH_SHARED_VERSION_CONFLICT: {
    description: 'A shared singleton was asked for in a version range that the version in the share scope does not satisfy.',
    hint: 'Align the versions of the shared package between the host and the remote, or relax requiredVersion.',
  },
  MODMESH_REMOTE_UNAVAILABLE: {
    description: "A remote module is not loaded yet and could not be loaded within the request's deadline.",
    hint: 'The remote is down or unreachable; the host retries in the background and recovers by itself once it is back.',
  },

  // --- host runtime ---
  MODMESH_CONFIG_INVALID: {
    description:
      'A configuration modmesh was given cannot work: createMesh options (a remote without trusted keys, a bad spec, two names for one container) or a modmesh.config.ts (an unknown key, a missing expose file, a shared package that is not installed, a bad name). The message names the field.',
    hint: 'Fix the option named in the message: in the createMesh options, or the field of modmesh.config.ts (its options: packages/build/README.md).',
  },
  MODMESH_NO_VERIFIED_RELEASE: {
    description: 'No verified release of a remote is available: the registry could not be reached and nothing usable is in the cache.',
    hint: 'Start the host once while the registry is reachable (it caches what it verifies), or configure a fallback module for the remote.',
  },
  MODMESH_CACHE_INCOMPLETE: {
    description: 'A cached release is missing a file or a file no longer matches its hash; the cached release was not used.',
    hint: 'It is fetched again from the registry when it is reachable; check what else writes to the cache directory.',
  },
  MODMESH_REPLAY_REFUSED: {
    description: 'The registry offered an older release (or an older state of a tag) than the one running, without a rollback: refused as a possible replay.',
    hint: 'Move the tag back with `modmesh rollback` if going back is intended.',
  },
  MODMESH_SWAP_REFUSED: {
    description:
      'A new release was verified but not swapped in: it failed to load, or it lacks an export the running release has. The old release keeps serving.',
    hint: 'Fix and publish a new release; the host keeps running the previous one meanwhile.',
  },
  MODMESH_BOOTED_FROM_CACHE: {
    description: 'The registry could not be reached at start, so the host booted from the last release it verified (hashes re-checked from disk).',
    hint: 'The host picks up newer releases when the registry is back; check why it is unreachable.',
  },
  MODMESH_FALLBACK_USED: {
    description: 'No verified release of a remote was available, so its configured fallback module is serving.',
    hint: 'The remote is replaced as soon as a verified release can be loaded.',
  },
  MODMESH_EVENTS_DISCONNECTED: {
    description: "The registry's event stream dropped; the host reconnects with backoff and resumes from the last event it saw.",
    hint: 'Nothing to do unless it persists: then check the registry and the network path to it.',
  },

  // --- releases and signatures ---
  MODMESH_MANIFEST_INVALID: {
    description: 'A release manifest does not match the schema (modmesh.release/v1); every problem is listed.',
    hint: 'Produce manifests with `modmesh publish` (or the build preset) rather than by hand, and check the listed fields.',
  },
  MODMESH_MANIFEST_MISMATCH: {
    description: 'A validly signed manifest is for another remote or version than the one asked for (a substituted release).',
    hint: 'The registry or something in between served the wrong manifest; do not trust it, and report it.',
  },
  MODMESH_UNSAFE_PATH: {
    description: 'A file path in a release is absolute, has "." or ".." segments, backslashes or control characters.',
    hint: 'Release paths are relative with forward slashes, e.g. "chunks/app.js"; publish the build directory as it is.',
  },
  MODMESH_KEY_INVALID: {
    description: 'A key is not a readable Ed25519 key in the expected form.',
    hint: 'Use keys made by `modmesh keys generate`: the public key as "ed25519:<base64url>" or an SPKI PEM, the private key as a PKCS#8 PEM.',
  },
  MODMESH_SIGNATURE_MISSING: {
    description: 'A release carries no Ed25519 signature.',
    hint: 'Sign releases when publishing: `modmesh publish --key <private key file>`.',
  },
  MODMESH_SIGNATURE_INVALID: {
    description: 'A release signature does not match its manifest: the manifest or the signature was altered, or signed with another key.',
    hint: 'Do not use this release. Republish from the original build with the publisher key.',
  },
  MODMESH_KEY_NOT_TRUSTED: {
    description: 'A release is signed by a key that is not registered (registry) or trusted (host) for that remote.',
    hint: "Register the publisher key for the remote (`modmesh trust add NAME KEYFILE`) or add it to the host's trust list; a key trusted for one remote is not trusted for another.",
  },
  MODMESH_HASH_MISMATCH: {
    description: "A file's bytes do not match the size or SHA-256 recorded for it in the manifest.",
    hint: 'The file changed after the manifest was made, or was altered in transit or storage; rebuild and republish, or investigate the storage.',
  },
  MODMESH_RELEASE_INCOMPLETE: {
    description:
      'A build directory lacks a file its container needs (its entry, or a chunk its mf-manifest.json lists for an exposed module); nothing was published.',
    hint: 'Publish the whole output directory of a finished build (output.path, the one holding remoteEntry.js); rebuild if a file was deleted.',
  },
  MODMESH_FILE_MISSING: {
    description: 'A manifest lists a file whose bytes were not uploaded (or not found where they must be).',
    hint: 'Upload every file of the release before publishing its manifest (`modmesh publish` does both).',
  },

  // --- trust metadata (TUF 1.0.34, design 16) ---
  MODMESH_ROOT_INVALID: {
    description:
      'A configured or uploaded root of trust is not a valid TUF root: not readable JSON, a field of the wrong shape, a keyid that is not the SHA-256 of its key, or not signed by a threshold of its own root keys.',
    hint: 'Use the root.json made and signed with `modmesh root create` and `modmesh root sign`; `modmesh root inspect FILE` shows which signatures it lacks.',
  },
  MODMESH_ROOT_ROTATION_REFUSED: {
    description:
      'A new root version was refused: it is not exactly one version above the trusted root, or it lacks a threshold of signatures by the trusted root keys or by its own root keys. The trusted root stays in force.',
    hint: 'Collect signatures from a threshold of the old root keys and of the new ones (`modmesh root sign`), and publish root versions one at a time.',
  },
  MODMESH_ROOT_EXPIRED: {
    description:
      'The newest trusted root has expired; no metadata can be trusted until a new root version is published. Hosts keep serving what they run and report stale.',
    hint: 'Sign and push a new root version with a later expiry (`modmesh root rotate --expires`, `modmesh root sign`, `modmesh root push`).',
  },
  MODMESH_META_INVALID: {
    description:
      'A trust metadata document is malformed: not UTF-8 JSON, a field of the wrong shape, a string with a control character or lone surrogate, a non-ASCII key, a duplicate signature, a wrong keyid, or a timestamp claiming too long a lifetime.',
    hint: 'The message names the document and the field. Documents are written by the modmesh CLI and registry; one from elsewhere must follow the TUF 1.0.34 layout of the modmesh README.',
  },
  MODMESH_META_SIGNATURE: {
    description: "A trust metadata document lacks a threshold of valid signatures by its role's keys (the message says how many of how many).",
    hint: 'If you published it, collect the missing signatures (`modmesh sign FILE --key`). If a key was removed from the root since the role was signed, re-sign the role with a key still delegated (`modmesh releases refresh NAME --key`, `modmesh tag refresh`) before publishing or moving tags. Otherwise it was forged or altered after signing: do not use it, and check the registry.',
  },
  MODMESH_META_ROLLBACK: {
    description:
      'A trust metadata document has a lower version than one already trusted, or a role the trusted snapshot lists is missing or older: a replay of old metadata, refused.',
    hint: 'The registry, or something between it and this host, serves old metadata; check it. The host keeps its newer trusted state.',
  },
  MODMESH_META_MISMATCH: {
    description: "A trust metadata document's version, length or SHA-256 differs from what its parent document signed for it (mix-and-match); it was not used.",
    hint: 'The registry or a proxy served a document from another snapshot; it is retried on the next cycle. If it persists, check the registry and any cache in front of it.',
  },
  MODMESH_META_EXPIRED: {
    description: 'A trust metadata document offered or still in use has expired (a replayed old document, or one its signers did not renew).',
    hint: 'Timestamp and snapshot are renewed by the registry; targets and the remote roles by their signers (`modmesh releases refresh`, `modmesh tag refresh`). The message names the document.',
  },
  MODMESH_META_CONFLICT: {
    description:
      'A signed role update was built on a version of the role that is no longer the current one: someone else updated it first. Nothing was stored.',
    hint: 'Re-read the role, re-verify it and sign the update again on the current version (`modmesh publish` retries this by itself).',
  },
  MODMESH_STALE: {
    description:
      'A state, not a failure of a request: no fresh trust metadata could be verified before the trusted one expired. The host keeps serving its verified release but cannot learn of newer ones.',
    hint: 'The cause names why the last update failed (registry unreachable, replayed or expired metadata); fix that and the host recovers on its next cycle.',
  },
  MODMESH_TAG_STATE_INVALID: {
    description:
      "A signed tag state breaks the tag rules: its sequence number or previous state does not follow the tag's history, its rollback flag does not match the versions, or it points at a release with another hash than the release role lists.",
    hint: 'Move tags with `modmesh tag set` or `modmesh rollback`, which build a valid state from the current one (`--rollback` exactly when going to a lower version).',
  },
  MODMESH_TAG_STATE_CONFLICT: {
    description:
      'Two different signed states of one tag carry the same sequence number: a tag mover key signed conflicting moves. The state already trusted is kept.',
    hint: 'Treat the mover keys of that remote as compromised: remove them (`modmesh root remove-key`) and move the tag again with a new key.',
  },
  MODMESH_RELEASE_NOT_LISTED: {
    description:
      "A release is not listed by the remote's signed releases role (never published, withdrawn, or signed only by a revoked publisher key); it is not installed.",
    hint: 'Publish the release with `modmesh publish`, or ask for one that is listed (`modmesh ls NAME`); a running release that is no longer listed keeps serving until another is chosen.',
  },
  MODMESH_RELEASE_CHANGED: {
    description: 'A name@version is listed with a different release document than the one seen before; releases are immutable, so this is refused.',
    hint: 'The registry or a signer replaced a published release; investigate it. Publish changes under a new version.',
  },
  MODMESH_ONLINE_KEY_MISSING: {
    description: 'The registry holds no private key for the timestamp or snapshot key that the newest root names, so it cannot sign fresh metadata.',
    hint: 'Give the registry the online key the root names (`<dataDir>/online-key` or MODMESH_ONLINE_KEY_FILE), or rotate the root to the key it holds (`modmesh registry online-key print`).',
  },
  MODMESH_TOKEN_EXPIRED: {
    description: 'The token is known to the registry but past its expiry.',
    hint: 'Create a new token (`modmesh token create`) and replace the expired one where it is configured.',
  },
  MODMESH_TOKEN_REVOKED: {
    description: 'The token is known to the registry but was revoked.',
    hint: 'Use another token; ask an admin for a new one (`modmesh token create`) if this one was revoked by mistake.',
  },

  // --- registry requests ---
  MODMESH_INVALID_NAME: {
    description:
      "A remote name is not one modmesh accepts: lowercase letters, digits, '-', '_' and '.' (no '..'), starting with a letter, at most 64 characters (npm's rules for an unscoped name, shorter).",
    hint: 'Use a name like "auth", "user_profile" or "node-local-remote"; no scope, slash or uppercase.',
  },
  MODMESH_INVALID_VERSION: {
    description: 'A version is not a full semantic version.',
    hint: 'Use a version like 1.2.3 or 1.3.0-beta.1.',
  },
  MODMESH_INVALID_TAG: {
    description: 'A tag name is not lowercase letters, digits and dashes starting with a letter.',
    hint: 'Use tags like "stable", "canary" or "prod-eu".',
  },
  MODMESH_INVALID_SPEC: {
    description: 'A release spec is neither a version, a semver range, nor a tag name.',
    hint: 'Ask for NAME@1.2.3, NAME@^1 or NAME@stable.',
  },
  MODMESH_INVALID_JSON: {
    description: 'A request body is not valid JSON.',
    hint: 'Send a JSON body with content-type application/json.',
  },
  MODMESH_BAD_REQUEST: {
    description: 'A request is missing a field or has one of the wrong type; the message names it.',
    hint: 'Check the request against the registry API in packages/registry/README.md.',
  },
  MODMESH_BODY_TOO_LARGE: {
    description: 'A request body is larger than the registry accepts for that kind of request.',
    hint: "Files over the limit are refused; raise the registry's --max-file-size if they are legitimately this large.",
  },
  MODMESH_AUTH_REQUIRED: {
    description: 'The request needs a token and has none, or one the registry does not know.',
    hint: "Pass a token (--token or MODMESH_TOKEN): the admin token from the registry's data dir, or one from `modmesh token create`.",
  },
  MODMESH_FORBIDDEN: {
    description: 'The token is valid but not allowed to do this (for example a publish token scoped to another remote).',
    hint: 'Use a token created for this remote (`modmesh token create --remote NAME`), or the admin token.',
  },
  MODMESH_NOT_FOUND: {
    description: 'No such remote, release, tag, key or file in the registry.',
    hint: 'Check the name and version with `modmesh ls`.',
  },
  MODMESH_VERSION_EXISTS: {
    description: 'That name@version is already published; releases are immutable, so it is never replaced, even with identical bytes.',
    hint: 'Publish under a new version.',
  },
  MODMESH_TAG_CONFLICT: {
    description: "A tag move stated a current version (compare-and-swap) that is no longer the tag's target: someone else moved it first.",
    hint: "Look at the tag's history (`modmesh info NAME@TAG`), then retry with --expect set to its current version.",
  },
  MODMESH_NO_PREVIOUS_TARGET: {
    description: 'A rollback was asked for a tag that has no earlier target to go back to.',
    hint: 'Move the tag explicitly with `modmesh tag set`.',
  },
  MODMESH_RATE_LIMITED: {
    description:
      'A client made more requests of one kind than the registry allows per minute (writes per publish token, or requests with unknown tokens per client address); the refused request did nothing.',
    hint: "Retry after the number of seconds in the Retry-After header. If this is legitimate traffic, raise the registry's budget (`modmesh registry start --rate-limit-...`).",
  },
  MODMESH_RANGE_UNSATISFIED: {
    description: 'No published version of the remote satisfies the requested range.',
    hint: 'List the published versions with `modmesh ls NAME`.',
  },
  MODMESH_STORAGE_UNAVAILABLE: {
    description: "The registry's database could not be reached or dropped the connection; the request did nothing (a write that was cut off was rolled back).",
    hint: 'Retry; a load balancer sends it to another replica. If it persists, check the PostgreSQL server and the connection URL (--storage, MODMESH_STORAGE).',
  },
  MODMESH_STORAGE_SCHEMA: {
    description: "The registry's database has a schema version this registry does not run on: it needs migrating, or it was migrated by a newer registry.",
    hint: 'Run `modmesh registry migrate --storage URL` with the same modmesh version as the replicas (the Kubernetes migration Job does this), then start them.',
  },
  MODMESH_IMPORT_CONFLICT: {
    description:
      'A registry export holds a record (a release, tag, audit entry, event, key or token) that the target registry already has with different contents; nothing was imported.',
    hint: 'Import into an empty registry, or into the one the export was imported into before (importing the same export again changes nothing).',
  },
  MODMESH_INTERNAL: {
    description: 'An unexpected failure inside modmesh: a bug.',
    hint: 'Report it with the log line that has this code; nothing half-done was made visible.',
  },
  MODMESH_PORT_IN_USE: {
    description: 'A service could not listen on its port: something else holds it, or this user may not use it. Nothing was left running.',
    hint: 'Set the variable named in the message to a free port, or stop what is listening there.',
  },
  MODMESH_BUILD_FAILED: {
    description:
      'A build failed: the bundler reported errors in `modmesh build` (the previous output is left as it was), or a build step of the example system (`npm start`) failed (nothing was started).',
    hint: "The bundler's errors are printed with it; fix what they name and build again.",
  },
  MODMESH_CONTRACT_BREAK: {
    description:
      "A release would break its remote's contract within a major version: an exposed module or an export of one is gone, or an export's new type is not assignable to its type in the newest release of the same major (TypeScript's checker decides), or a shared singleton's requiredVersion no longer admits what the hosts running the remote provide. Each break is listed (export, old type, new type); nothing was published.",
    hint: 'Keep the old export working beside the new one (a new name, an optional parameter), or publish the change as a new major version (X+1.0.0), which hosts follow only when they ask for it.',
  },
  MODMESH_DEV_ROOT_MODE: {
    description:
      '`modmesh dev` was pointed at a registry that takes only signed releases or signed tag moves of a remote (its root of trust delegates the remote, or the registry runs with --require-signed-tags). Dev builds are published with a dev key the registry registers and a tag the registry moves, which such a registry refuses; nothing was registered or published.',
    hint: 'Run `modmesh dev` against a registry of your own without a root of trust (`modmesh registry start --data .modmesh/dev-registry --port PORT`, then `modmesh dev --registry URL`) with the hosts you develop against following it; publish to the root-mode registry with `modmesh publish --root`.',
  },
  MODMESH_TYPES_STALE: {
    description:
      "A host's declarations of a remote (written by `modmesh types pull`) are from another release than the one its spec resolves to now: the host is type-checked against a contract it does not run.",
    hint: 'Run `modmesh types pull` again, and fix what the type check then says.',
  },
  MODMESH_START_FAILED: {
    description: 'A process of the example system (`npm start`) stopped before it was ready; everything it had started was stopped.',
    hint: "Read that service's log lines above the error; the message names its port and the variable that sets it.",
  },
  MODMESH_PACKAGE_NOT_INSTALLED: {
    description:
      'A command needs a package the CLI does not depend on, and it is not installed: @modmesh/registry for `modmesh registry ...` (so that publishing needs neither fastify nor a native SQLite build), @modmesh/build for `modmesh build` (so that a registry needs no bundler).',
    hint: 'Install the package the message names next to the CLI, then run the command again.',
  },
  MODMESH_USAGE: {
    description: 'A command was called with missing or invalid arguments.',
    hint: 'Run the command with --help.',
  },
} as const satisfies Record<string, { description: string; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

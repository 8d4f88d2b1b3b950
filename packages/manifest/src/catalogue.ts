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
  MODMESH_REMOTE_MANIFEST_INVALID: {
    description: "A remote's Module Federation manifest (mf-manifest.json) is not valid JSON or lacks what is needed to load it.",
    hint: 'Rebuild the remote with @module-federation/enhanced and manifest: true, and check the URL points at it.',
  },
  MODMESH_REMOTE_EVALUATION_FAILED: {
    description: "A remote's entry or chunk threw while being evaluated, or did not produce a Module Federation container.",
    hint: "The remote's build is broken or not a container for a Node target (library type commonjs-module); see the cause.",
  },
  MODMESH_CHUNK_NOT_IN_RELEASE: {
    description: "A remote's code asked to load a file that is not part of the set of files that was fetched and checked for it; it was refused.",
    hint: "The remote's manifest does not list every file its entry loads; rebuild and republish the remote.",
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
} as const satisfies Record<string, { description: string; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

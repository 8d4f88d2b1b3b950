// The files `modmesh init` writes: a remote (a first exposed module, its modmesh.config.ts and a
// test of the built container) or a host (a first consumer through createMesh, and a test).

export interface TemplateInput {
  /** The project's (and, for a remote, the remote's) name. */
  name: string;
  bundler: 'webpack' | 'rspack';
  /** For a host: the remote it uses. */
  remote: string;
  /** Package name → version spec (a range, or `file:` a tarball). */
  packages: Record<string, string>;
  /** With tarballs: every modmesh package → its tarball, so that what the direct ones depend on comes from there too. */
  overrides?: Record<string, string> | undefined;
}

/** Relative path → content. */
export type Files = Record<string, string>;

export function remoteFiles(input: TemplateInput): Files {
  const bundlerFlag = input.bundler === 'rspack' ? ' --bundler rspack' : '';
  return {
    'package.json': json({
      name: input.name,
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: {
        build: `modmesh build${bundlerFlag}`,
        watch: `modmesh build --watch${bundlerFlag}`,
        test: `modmesh build${bundlerFlag} && node --test`,
      },
      devDependencies: input.packages,
      ...(input.overrides && { overrides: input.overrides }),
    }),
    'modmesh.config.ts': `import { defineConfig } from '@modmesh/build';

// What this remote gives other services: each module in \`exposes\` is imported by hosts as
// "${input.name}/<name>". \`modmesh build\` writes the release to dist/release; \`modmesh publish
// dist/release\` signs and publishes it.
export default defineConfig({
  name: '${input.name}',
  exposes: {
    './greeting': './src/greeting.ts',
  },
  // Packages the host provides, one copy for both: shared: ['some-package'],
  // Where it runs: ['node'] (the default), ['web'] or both.
  targets: ['node'],
});
`,
    'src/greeting.ts': `/** The first module this remote exposes: hosts import it as "${input.name}/greeting". */
export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
`,
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['src', 'modmesh.config.ts'],
    }),
    'test/greeting.test.mjs': `// Loads the built Node container as a host would (run \`npm test\`, which builds first) and
// calls the exposed module.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';

const require = createRequire(import.meta.url);

test('the container exposes ./greeting', async () => {
  const container = require('../dist/release/node/remoteEntry.js');
  await container.init({});
  const { greet } = (await container.get('./greeting'))();
  assert.equal(greet('Ada'), 'Hello, Ada!');
});
`,
    '.gitignore': 'node_modules/\ndist/\nkeys/*.key\n',
    'README.md': `# ${input.name}

A Module Federation remote published with modmesh.

\`\`\`sh
npm install
npm test                       # builds dist/release and loads the built container
npx modmesh keys generate --out keys --name ${input.name}
# once, by the registry's admin: npx modmesh trust add ${input.name} keys/${input.name}.pub
MODMESH_REGISTRY=http://127.0.0.1:4000 MODMESH_TOKEN=<publish token> \\
  npx modmesh publish dist/release --version 1.0.0 --key keys/${input.name}.key --tag stable
\`\`\`

Hosts then use it with \`createMesh({ remotes: { ${input.name}: '${input.name}@stable' }, trust: { ${input.name}: ['<keys/${input.name}.pub>'] } })\`
from \`@modmesh/runtime\`, or \`npx modmesh init --host\` makes one.
`,
  };
}

export function hostFiles(input: TemplateInput): Files {
  return {
    'package.json': json({
      name: input.name,
      version: '1.0.0',
      private: true,
      type: 'module',
      scripts: { start: 'node src/main.js', test: 'node --test' },
      dependencies: input.packages,
      ...(input.overrides && { overrides: input.overrides }),
    }),
    'src/mesh.js': `import { createMesh } from '@modmesh/runtime';

// The remotes this host uses, from the registry, verified against the publisher keys it trusts:
//   MODMESH_REGISTRY  the registry (default http://127.0.0.1:4000)
//   REMOTE            which release of ${input.remote} to run: a tag, a version or a range (default ${input.remote}@stable)
//   MODMESH_TRUST     the public key of ${input.remote}'s publisher (its keys/${input.remote}.pub); required
export function openMesh(env = process.env) {
  const trusted = env.MODMESH_TRUST;
  if (!trusted) throw new Error("MODMESH_TRUST is not set: give the public key of ${input.remote}'s publisher (ed25519:...)");
  return createMesh({
    registry: env.MODMESH_REGISTRY ?? 'http://127.0.0.1:4000',
    remotes: { ${jsKey(input.remote)}: env.REMOTE ?? '${input.remote}@stable' },
    trust: { ${jsKey(input.remote)}: [trusted] },
    cacheDir: env.MODMESH_CACHE_DIR ?? '.modmesh/cache',
    name: '${input.name.replace(/[^A-Za-z0-9_]/g, '_')}',
    // One answer and exit: no live updates (a long-running service keeps the default, true).
    watch: false,
    reportIntervalMs: 0,
    log: (level, msg, fields) => {
      if (level === 'warn' || level === 'error') console.error(level, msg, fields ?? '');
    },
  });
}
`,
    'src/main.js': `// The first consumer: runs ${input.remote}/greeting from the registry.
//   MODMESH_TRUST=ed25519:... node src/main.js Ada
import { openMesh } from './mesh.js';

const mesh = openMesh();
try {
  const { greet } = await mesh.import('${input.remote}/greeting', { deadlineMs: 10_000 });
  console.log(greet(process.argv[2] ?? 'world'));
} finally {
  await mesh.close();
}
`,
    'test/mesh.test.mjs': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openMesh } from '../src/mesh.js';

test('refuses to start without a trusted publisher key', () => {
  assert.throws(() => openMesh({}), /MODMESH_TRUST/);
});
`,
    '.gitignore': 'node_modules/\n.modmesh/\n',
    'README.md': `# ${input.name}

A host that runs modules of the remote \`${input.remote}\` from a modmesh registry, verified
before a byte of them runs, cached for restarts while the registry is down.

\`\`\`sh
npm install
MODMESH_REGISTRY=http://127.0.0.1:4000 MODMESH_TRUST="$(cat ../${input.remote}/keys/${input.remote}.pub)" npm start -- Ada
\`\`\`
`,
  };
}

// --- internal ---

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function jsKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

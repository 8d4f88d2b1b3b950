// The workspace the modmesh dev tests run in, and the Node host they run in it.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@modmesh/test-utils';

// A Node host that follows greeter@dev (trusting the dev key, or the root MODMESH_ROOT names) and answers GET / with what its running release says.
const HOST = `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createMesh } from '@modmesh/runtime';
const mesh = createMesh({
  registry: process.env.MODMESH_REGISTRY,
  remotes: { greeter: 'greeter@dev' },
  ...(process.env.MODMESH_ROOT ? { root: process.env.MODMESH_ROOT } : { trust: { greeter: [readFileSync('.modmesh/dev/greeter.pub', 'utf8').trim()] } }),
  cacheDir: '.modmesh/host-cache',
  log: () => {},
});
const greeting = mesh.live('greeter/greeting');
const server = createServer(async (request, response) => {
  const { greet } = await greeting.get(10_000);
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ text: greet('ada'), version: greeting.version() }));
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', url: 'http://127.0.0.1:' + server.address().port })));
`;

// A workspace of one service: greeter, a Node container (./greeting) and a browser one (./LoginForm,
// as the web shell's auth slot loads it), both showing the text of src/text.ts.
export function writeWorkspace(dir: string, first: string): void {
  mkdirSync(path.join(dir, 'greeter/src'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'workspace', private: true, type: 'module', workspaces: ['greeter'] }));
  writeFileSync(path.join(dir, 'host.mjs'), HOST);
  writeFileSync(
    path.join(dir, 'greeter/modmesh.config.ts'),
    `export default ${JSON.stringify({
      name: 'greeter',
      targets: { node: { exposes: { './greeting': './src/greeting.ts' } }, web: { exposes: { './LoginForm': './src/LoginForm.tsx' }, shared: ['react'] } },
    })};\n`,
  );
  writeFileSync(path.join(dir, 'greeter/src/text.ts'), `export const TEXT = ${JSON.stringify(first)};\n`);
  writeFileSync(
    path.join(dir, 'greeter/src/greeting.ts'),
    "import { TEXT } from './text.js';\nexport function greet(name: string): string {\n  return TEXT + ' ' + name;\n}\n",
  );
  writeFileSync(
    path.join(dir, 'greeter/src/LoginForm.tsx'),
    "import * as React from 'react';\nimport { TEXT } from './text.js';\nexport default function LoginForm(): React.ReactElement {\n  return <h2 data-testid=\"dev-text\">{TEXT}</h2>;\n}\n",
  );
}

// The user service's browser container: ./ProfileCard, with React shared as a singleton the
// page provides. Published to the registry as the remote `user`, from the release directory
// src/layout.ts names. Built by `modmesh build`.
import { defineConfig } from '@modmesh/build';
import { readUserLayout } from './src/layout.js';

export default defineConfig({
  name: 'user',
  outDir: readUserLayout(process.env).releaseDir,
  targets: ['web'],
  exposes: { './ProfileCard': './src/ui/ProfileCard.tsx' },
  shared: ['react'],
});

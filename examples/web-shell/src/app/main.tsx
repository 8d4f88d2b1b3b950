// The web shell's page: reads its configuration from the server, starts the modmesh browser
// runtime with React as the singleton every module shares, and renders the application.
import { createBrowserMesh } from '@modmesh/runtime/browser';
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { App, type ShellConfig } from './App.js';
import { createActivity } from './activity.js';

interface PageConfig extends ShellConfig {
  /** The root of trust (root.json's text), or else the keys trusted per remote. */
  root?: string;
  trust?: Record<string, string[]>;
  /** A read token, for a registry that requires one. */
  token?: string;
}

async function start(): Promise<void> {
  const root = createRoot(document.getElementById('root')!);
  // Inlined by the server as a data block (never executed); /config.json says the same.
  const inline = document.getElementById('modmesh-config')?.textContent;
  const config = (inline ? JSON.parse(inline) : await (await fetch('/config.json')).json()) as PageConfig;
  const activity = createActivity();
  const mesh = createBrowserMesh({
    registry: config.registry,
    remotes: config.remotes,
    ...(config.root === undefined ? { trust: config.trust } : { root: config.root }),
    ...(config.token && { token: config.token }),
    name: 'web_shell',
    service: 'web-shell',
    shared: { react: { version: React.version, lib: () => React, requiredVersion: `^${React.version.split('.')[0]}.0.0` } },
    onEvent: (event) => activity.record(event),
  });
  // For tests and the curious: what the runtime did, from the console.
  (window as unknown as { modmesh: unknown }).modmesh = mesh;
  // The first slot's module starts loading now, while React renders the page around it; the
  // slot picks up the same load (a failure shows there, with its code).
  mesh.import('auth/LoginForm').catch(() => undefined);
  root.render(
    <React.StrictMode>
      <App mesh={mesh} activity={activity} config={config} />
    </React.StrictMode>,
  );
}

start().catch((error: unknown) => {
  document.body.textContent = `The page could not start: ${(error as Error).message}`;
});

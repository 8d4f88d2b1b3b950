import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { repoRoot } from './builds.js';

/** Debian's Chromium (`apt-get install -y chromium`); MODMESH_CHROMIUM names another binary. */
export const CHROMIUM = process.env.MODMESH_CHROMIUM ?? '/usr/bin/chromium';

/** Where browser tests keep what a person should look at (screenshots); CI keeps it. */
export const ARTIFACTS_DIR = path.join(repoRoot, 'test-artifacts');

/**
 * Why browser tests cannot run here, or undefined when they can. In CI a missing browser is a
 * failure, not a skip: the browser tests must run there.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const message = `browser tests need Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set MODMESH_CHROMIUM)`;
  if (process.env.CI) throw new Error(message);
  return message;
}

// As root, without a sandbox; nothing phones home (this machine's network is closed, and each
// refused background connection would only slow the browser down).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** The path to save a screenshot `name` under (test-artifacts/, made if missing). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

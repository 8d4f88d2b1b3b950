#!/usr/bin/env node
// The installed `modmesh` command: the compiled CLI, with its exit code. Everything else,
// errors included, is handled inside main().
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));

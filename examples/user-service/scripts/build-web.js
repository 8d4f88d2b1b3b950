// Builds the user service's browser container (./ProfileCard). Run after `tsc` (it reads the
// service's paths from the compiled src/layout.ts).
//   USER_WEB_DIR  where to write it (default: the browser container of the release directory)
import path from 'node:path';
import webpack from 'webpack';
import { readUserLayout } from '../dist/layout.js';
import { createWebConfig } from '../webpack.web.config.js';

const outputPath = readUserLayout(process.env).webDir;
webpack(createWebConfig({ outputPath })).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`user browser container built in ${path.relative(process.cwd(), outputPath) || '.'} (${stats.endTime - stats.startTime} ms)`);
});

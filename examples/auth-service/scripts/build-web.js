// Builds the auth service's browser container (./LoginForm). Run after `tsc` (it reads the
// service's paths from the compiled src/config.ts).
//   AUTH_WEB_DIR       where to write it (default: the browser container of the release directory)
//   AUTH_LOGIN_TITLE   the form's heading (default "Sign in")
//   AUTH_LOGIN_ACCENT  its accent colour (default #4f46e5)
import path from 'node:path';
import webpack from 'webpack';
import { readAuthConfig } from '../dist/server/config.js';
import { createWebConfig } from '../webpack.web.config.js';

const outputPath = readAuthConfig(process.env).webDir;
const config = createWebConfig({ outputPath, loginTitle: process.env.AUTH_LOGIN_TITLE, loginAccent: process.env.AUTH_LOGIN_ACCENT });
webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`auth browser container built in ${path.relative(process.cwd(), outputPath) || '.'} (${stats.endTime - stats.startTime} ms)`);
});

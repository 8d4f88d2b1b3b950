// Builds the auth service's browser container (./LoginForm).
//   AUTH_WEB_DIR       where to write it (default dist/web)
//   AUTH_LOGIN_TITLE   the form's heading (default "Sign in")
//   AUTH_LOGIN_ACCENT  its accent colour (default #4f46e5)
import path from 'node:path';
import webpack from 'webpack';
import { createWebConfig } from '../webpack.web.config.js';

const outputPath = path.resolve(process.env.AUTH_WEB_DIR ?? 'dist/web');
const config = createWebConfig({ outputPath, loginTitle: process.env.AUTH_LOGIN_TITLE, loginAccent: process.env.AUTH_LOGIN_ACCENT });
webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`auth browser container built in ${path.relative(process.cwd(), outputPath) || '.'} (${stats.endTime - stats.startTime} ms)`);
});

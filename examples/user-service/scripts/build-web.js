// Builds the user service's browser container (./ProfileCard).
//   USER_WEB_DIR  where to write it (default dist/web)
import path from 'node:path';
import webpack from 'webpack';
import { createWebConfig } from '../webpack.web.config.js';

const outputPath = path.resolve(process.env.USER_WEB_DIR ?? 'dist/web');
webpack(createWebConfig({ outputPath })).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`user browser container built in ${path.relative(process.cwd(), outputPath) || '.'} (${stats.endTime - stats.startTime} ms)`);
});

// Builds the web shell's page into dist/app: app.js (webpack) and app.css.
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import { createShellConfig } from '../webpack.config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = createShellConfig();
webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  copyFileSync(path.join(here, '../src/app/app.css'), path.join(config.output.path, 'app.css'));
  console.log(`web shell page built in ${path.relative(process.cwd(), config.output.path)} (${stats.endTime - stats.startTime} ms)`);
});

// Builds the dashboard into dist/dashboard: app.js (webpack) and the page's static files, which
// is all the registry serves at / and /dashboard/ (src/routes/dashboard.ts).
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import { createDashboardConfig } from '../webpack.config.js';

const STATIC_FILES = ['index.html', 'style.css', 'favicon.svg'];

const here = path.dirname(fileURLToPath(import.meta.url));
const config = createDashboardConfig();
webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  for (const file of STATIC_FILES) copyFileSync(path.join(here, '../dashboard', file), path.join(config.output.path, file));
  console.log(`dashboard built in ${path.relative(process.cwd(), config.output.path)} (${stats.endTime - stats.startTime} ms)`);
});

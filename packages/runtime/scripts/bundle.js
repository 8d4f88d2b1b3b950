// Bundles the Node host runtime into dist/bundle (webpack.config.js says what and why). Runs
// after tsc, from the package's build script.
import webpack from 'webpack';
import { createNodeBundleConfig } from '../webpack.config.js';

const config = createNodeBundleConfig();
webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  if (stats.hasWarnings()) console.warn(stats.toString({ all: false, warnings: true, colors: false }));
  const files = Object.keys(stats.compilation.assets).filter((file) => file.endsWith('.js'));
  console.log(`runtime bundled in dist/bundle (${files.join(', ')}; ${stats.endTime - stats.startTime} ms)`);
});

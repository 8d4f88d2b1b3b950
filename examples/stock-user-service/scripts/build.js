// Builds the host with the webpack API (the documents' `webpack` command, without webpack-cli).
const webpack = require('webpack');
const config = require('../webpack.config.js');

webpack(config).run((error, stats) => {
  if (error || !stats || stats.hasErrors()) {
    console.error(error ?? stats?.toString({ all: false, errors: true, colors: false }));
    process.exit(1);
  }
  console.log(`stock user service built (${stats.endTime - stats.startTime} ms)`);
});

export { main } from './main.js';
export type { CliContext, TextSink } from './output.js';

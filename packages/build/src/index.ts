export { sourceDigest } from './source-digest.js';
export { createWebContainerConfig, type WebContainerOptions } from './web-config.js';
export { ModmeshWebPlugin, type ModmeshWebPluginOptions, WEB_GLOBAL } from './web-plugin.js';

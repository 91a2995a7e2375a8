export { type BuildAppOptions, type BuiltApp, buildApp, type CreatedApp, createApp } from './app.js';
export type { Clock } from './clock.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export { type RunningServer, startServer } from './server.js';

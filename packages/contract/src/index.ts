export * from './accounts.js';
export * from './audit-logs.js';
export * from './envelope.js';
export * from './permission-groups.js';
export * from './tokens.js';
export * from './user.js';

// The TypeBox helper the SDK's declarations use, so that they need no dependency of their own.
export type { Static } from '@sinclair/typebox';
export * from './accounts.js';
export * from './admin.js';
export * from './audit-logs.js';
export * from './billing.js';
export * from './dashboard.js';
export * from './emulator.js';
export * from './envelope.js';
export * from './invites.js';
export * from './organizations.js';
export * from './permission-groups.js';
export * from './subscriptions.js';
export * from './tokens.js';
export * from './user.js';

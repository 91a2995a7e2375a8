// Preloaded into wrangler (NODE_OPTIONS=--require): refuses every connection that is not to loopback, so a
// test fails instead of quietly reaching Cloudflare, and records each one in USERFLARE_CONNECT_LOG.
const net = require('node:net');
const fs = require('node:fs');

const log = process.env.USERFLARE_CONNECT_LOG;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : undefined;
  const host = options ? (options.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
  const target = options?.path ? `unix:${options.path}` : `${host}:${options ? options.port : first}`;
  if (log) fs.appendFileSync(log, `${target}\n`);
  if (!options?.path && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`network guard: wrangler tried to reach ${target}`);
  }
  return connect.apply(this, args);
};

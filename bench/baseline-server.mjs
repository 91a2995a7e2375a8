// Bare Fastify baselines, run as their own process: one route answering a fixed small envelope, and
// routes answering, from memory, byte-for-byte the bodies userflare returned (read from argv[2]).
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodies = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const app = Fastify({ logger: false });

const SMALL = {
  success: true,
  errors: [],
  messages: [{ code: 10000, message: 'This API Token is valid and active', type: null }],
  result: { id: '0123456789abcdef0123456789abcdef', status: 'active' },
};
app.get('/small', async () => SMALL);

for (const [name, body] of Object.entries(bodies)) {
  app.get(`/body/${name}`, (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(body);
  });
}

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`baseline listening on ${address}\n`);
const close = () => app.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);

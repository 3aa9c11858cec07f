// A peer of bench/target-logging.ts: fastify with the target's one route and nothing else (no
// hooks, logger, auth, cache or metrics), answering the body the target sends for a cached
// `GET /api/inventory/SKU-000001`. The floor the framework sets on this host: the target's figure
// divided by it is what the target's own code costs, which no change outside fastify can beat.
// Prints its port, then serves until stdin closes (the bench ends it).
import Fastify from 'fastify';
import { inventoryBody as body } from './inventory-body.js';

const app = Fastify({ logger: false });
app.get('/api/inventory/:sku', (_req, reply) => {
  reply.type('application/json; charset=utf-8').send(body);
});
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
process.stdin.on('end', () => process.exit(0)).resume();

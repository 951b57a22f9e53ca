/**
 * The calibration server of `bench baseline`: a bare Fastify route that appends the request body
 * to a Redis stream with one XADD and answers 202 — the least any push endpoint on this stack
 * does, with none of FiberStack's work (no key check, validation, rate limit, metrics or logs).
 * Started as its own process: `node --import tsx bench/baseline-server.ts <port> <redis-url>`.
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';

const [port, redisUrl] = process.argv.slice(2);
const redis = new Redis(redisUrl ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
const app = Fastify({ logger: false, bodyLimit: 1_048_576 });
// The body as text: the route stores what arrived, as an ingest endpoint stores a validated batch.
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
  done(null, body),
);
app.post('/api/push', async (request, reply) => {
  await redis.xadd('baseline', '*', 'b', request.body as string);
  return reply.code(202).send({ accepted: 1 });
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void app.close().then(() => redis.quit().finally(() => process.exit(0)));
});

import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';

/**
 * Load shedding, so that a burst makes some clients retry rather than every client late:
 * - at most MAX_IN_FLIGHT requests are served at once; the next ones get 503 (Retry-After: 1)
 *   at once instead of waiting behind the queue. A queue that long already takes seconds to
 *   drain on PostgreSQL's pool, so the wait of an accepted request stays bounded;
 * - while the heap nears its end, new requests get 503 too. (Not on event-loop lag: a busy
 *   start-up, or a sender batch in an `all` process, lags the loop without any queue behind it.)
 * Requests already accepted run to the end. Both answers are in Stream's shape (errors.ts
 * answers any 503). Figures: docs/limits.md.
 */
const MAX_IN_FLIGHT = 512;
// Node's default old space on a 64-bit machine is ~4 GiB; shed well before it.
const MAX_HEAP_USED_BYTES = 2 * 1024 ** 3;

class Overloaded extends Error {
  readonly statusCode = 503;
  constructor() {
    super('the server is overloaded; retry shortly');
  }
}

export async function registerOverloadShedding(app: FastifyInstance, maxInFlight = MAX_IN_FLIGHT): Promise<void> {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    // A long poll is held open for up to 30 s by design: it is a connection, not work.
    if (request.url.startsWith('/longpoll')) return;
    if (inFlight >= maxInFlight) throw new Overloaded();
    inFlight++;
    // The response's 'close' comes once, when it was sent or cut off (the request's comes
    // as soon as its body was read).
    reply.raw.once('close', () => inFlight--);
  });
  await app.register(underPressure, {
    maxHeapUsedBytes: MAX_HEAP_USED_BYTES,
    customError: Overloaded,
  });
}

import type { FastifyBaseLogger } from 'fastify';
import { BackgroundLoop } from '../sender/background-loop.js';
import type { Herald } from './compose.js';

// A filter segment's size is refreshed within about a second of a change.
const SEGMENT_SIZER_IDLE_MS = 1000;

/** The background loops of a `worker` (or `all`) process. */
export function startWorkers(herald: Herald, logger: FastifyBaseLogger): BackgroundLoop[] {
  const loops = [
    new BackgroundLoop('segment-sizer', () => herald.services.segments.refreshNextSize(), SEGMENT_SIZER_IDLE_MS, logger),
  ];
  for (const loop of loops) loop.start();
  return loops;
}

import type { FastifyBaseLogger } from 'fastify';
import { BackgroundLoop } from './background-loop.js';
import type { Herald } from './compose.js';

// A filter segment's size is refreshed within about a second of a change; a due campaign
// starts (or stops) within about a second of its time.
const SEGMENT_SIZER_IDLE_MS = 1000;
const SCHEDULER_IDLE_MS = 500;
// An idle sender looks for new work 20 times a second (one small query each): the first
// message goes out a fraction of a second after start.
const SENDER_IDLE_MS = 50;
// Recall and edit pages follow each other at once; an idle runner looks for a job twice a second.
const MESSAGE_JOBS_IDLE_MS = 500;
// An idle deliverer looks at the outbox 10 times a second.
const WEBHOOKS_IDLE_MS = 100;
// Users and channels grow between imports too; statistics are refreshed every 10 minutes.
const STATISTICS_EVERY_MS = 10 * 60_000;
// Chat feed rows older than their retention go once a minute.
const FEED_PRUNER_IDLE_MS = 60_000;

export type LoopName = 'segment-sizer' | 'scheduler' | 'sender' | 'message-jobs' | 'statistics' | 'webhooks' | 'feed-pruner';

/** The background loops of a `worker` (or `all`) process; `only` picks some (tests). */
export function startWorkers(herald: Herald, logger: FastifyBaseLogger, only?: readonly LoopName[]): BackgroundLoop[] {
  const { sender, services } = herald;
  const loops = [
    new BackgroundLoop('segment-sizer', () => services.segments.refreshNextSize(), SEGMENT_SIZER_IDLE_MS, logger),
    new BackgroundLoop('scheduler', () => sender.schedule(), SCHEDULER_IDLE_MS, logger),
    new BackgroundLoop('sender', () => sender.sendRound(), SENDER_IDLE_MS, logger),
    new BackgroundLoop('message-jobs', () => herald.messageJobs.step(), MESSAGE_JOBS_IDLE_MS, logger),
    ...(herald.deliverer ? [new BackgroundLoop('webhooks', () => herald.deliverer!.deliverDue(), WEBHOOKS_IDLE_MS, logger)] : []),
    new BackgroundLoop('statistics', async () => (await herald.refreshStatistics(), false), STATISTICS_EVERY_MS, logger),
    new BackgroundLoop('feed-pruner', async () => (await services.chatFeed.prune(), false), FEED_PRUNER_IDLE_MS, logger),
  ];
  const chosen = only ? loops.filter((loop) => only.includes(loop.name as LoopName)) : loops;
  for (const loop of chosen) loop.start();
  return chosen;
}

import type { ChatEvent } from '../domain/chat-event.js';
import { FeedKind } from '../domain/feed.js';
import type { AppDeps } from './app-deps.js';
import type { Stores } from './ports.js';

/**
 * Reports chat events in the caller's transaction: to webhooks (the outbox) and to chat
 * connections (one chat feed row for all of them). Call it LAST in the transaction, as
 * FeedStore.append requires, after the change has locked its rows.
 */
export async function publishChatEvents(deps: Pick<AppDeps, 'events' | 'clock'>, stores: Stores, events: readonly ChatEvent[]): Promise<void> {
  if (events.length === 0) return;
  await deps.events.record(stores, events.filter((e) => e.webhook !== false).map((event) => ({ type: 'chat', event })));
  const heard = events.filter((e) => (e.channel && e.to_watchers !== false) || (e.notify?.length ?? 0) > 0);
  if (heard.length > 0) await stores.feed.append({ kind: FeedKind.events, events: heard }, deps.clock.nowMicros());
}

import { cidOf } from '../domain/channel.js';
import { channelTypes } from '../domain/channel-types.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import type { ChannelEvent } from './realtime-ports.js';

export interface ChannelEventInput {
  type: string;
  parent_id?: string;
  /** Who sends it, for server-side auth; a user token sends as itself. */
  user_id?: string;
}

/** The events a client may send to a channel's watchers (stream-chat's keystroke and stopTyping). */
const RELAYED = new Set(['typing.start', 'typing.stop']);

/**
 * `POST /channels/{type}/{id}/event`: events that are relayed to the channel's watchers on
 * every process through the bus, and never stored.
 */
export class ChannelEventsService {
  constructor(private readonly deps: AppDeps) {}

  async send(caller: Caller, type: string, id: string, input: ChannelEventInput): Promise<{ cid: string; event: ChannelEvent }> {
    checkChannelType(type);
    const cid = cidOf(type, id);
    if (!RELAYED.has(input.type)) {
      throw inputError(`event type "${input.type}" cannot be sent to a channel; Herald relays ${[...RELAYED].join(' and ')}`, { type: 'not supported' });
    }
    if (!channelTypes[type].typing_events) throw inputError(`typing events are disabled for channel type "${type}"`, { type: 'disabled' });
    const userId = caller.kind === 'user' ? caller.userId : input.user_id;
    if (!userId) throw inputError('event.user_id is required when using server side auth', { user_id: 'required' });
    if (caller.kind === 'user' && input.user_id && input.user_id !== caller.userId) {
      throw notAllowed(`user "${caller.userId}" cannot send events as "${input.user_id}"`);
    }
    const [member, [user]] = await Promise.all([this.deps.storage.channels.member(cid, userId), this.deps.storage.users.batchGet([userId])]);
    if (!member) {
      if (!(await this.deps.storage.channels.get(cid))) throw notFound(`channel "${cid}" does not exist`);
      throw notAllowed(`user "${userId}" is not a member of channel "${cid}"`);
    }
    if (!user || user.deleted_at !== null) throw inputError(`user "${userId}" does not exist`, { user_id: 'not found' });
    const event: ChannelEvent = {
      type: input.type,
      user,
      ...(input.parent_id !== undefined && { parent_id: input.parent_id }),
      created_at: this.deps.clock.nowMicros(),
    };
    await this.deps.bus.publish({ kind: 'channel_event', cid, event });
    return { cid, event };
  }
}

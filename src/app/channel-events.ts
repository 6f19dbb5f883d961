import { cidOf } from '../domain/channel.js';
import { channelTypes } from '../domain/channel-types.js';
import { checkCustomData } from '../domain/custom-data.js';
import { isReservedEventType } from '../domain/custom-event.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import { publishChatEvents } from './chat-events.js';
import type { ChannelEvent } from './realtime-ports.js';

export interface ChannelEventInput {
  type: string;
  parent_id?: string;
  /** Who sends it, for server-side auth; a user token sends as itself. */
  user_id?: string;
  /** A custom event's own fields (flattened on the legacy wire, under `custom` on v2). */
  custom?: Record<string, unknown>;
}

/** The events a client may send to a channel's watchers (stream-chat's keystroke and stopTyping). */
const RELAYED = new Set(['typing.start', 'typing.stop']);

/**
 * `POST /channels/{type}/{id}/event`. Typing events are relayed to the channel's watchers on
 * every process through the bus, and never stored. Any other type that is not one of Stream's
 * own is a custom event: it goes, with its custom fields, to the channel's watchers (the
 * sender's connections too) and to webhooks, through the chat feed like every chat event.
 */
export class ChannelEventsService {
  constructor(private readonly deps: AppDeps) {}

  async send(caller: Caller, type: string, id: string, input: ChannelEventInput): Promise<{ cid: string; event: ChannelEvent; custom: Record<string, unknown> }> {
    checkChannelType(type);
    const cid = cidOf(type, id);
    const custom = input.custom ?? {};
    const typing = RELAYED.has(input.type);
    if (!typing && isReservedEventType(input.type)) {
      throw inputError(`event type "${input.type}" is Stream's own and cannot be sent; use typing.start, typing.stop or a custom type`, { type: 'reserved' });
    }
    if (typing && !channelTypes[type].typing_events) throw inputError(`typing events are disabled for channel type "${type}"`, { type: 'disabled' });
    if (!typing && !channelTypes[type].custom_events) throw inputError(`custom events are disabled for channel type "${type}"`, { type: 'disabled' });
    if (!typing) checkCustomData(custom, 'event', this.deps.customData);
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
    if (typing) {
      await this.deps.bus.publish({ kind: 'channel_event', cid, event });
      return { cid, event, custom: {} };
    }
    await this.deps.storage.transaction(async (stores) => {
      const channel = await stores.channels.get(cid);
      if (!channel) throw notFound(`channel "${cid}" does not exist`);
      await publishChatEvents(this.deps, stores, [{
        type: input.type, created_at: event.created_at, channel, user: { id: user.id, user },
        fields: { ...custom, ...(input.parent_id !== undefined && { parent_id: input.parent_id }) },
      }]);
    });
    return { cid, event, custom };
  }
}

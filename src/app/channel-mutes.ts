import { splitCid } from '../domain/channel.js';
import { MAX_MUTED_CHANNELS_PER_REQUEST, type ChannelMute, type ChannelMuteView } from '../domain/channel-mute.js';
import type { ChatEvent } from '../domain/chat-event.js';
import { inputError, notFound } from '../domain/errors.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { actingUserOf, requireMember, requireUsers, usersById } from './channel-access.js';
import { checkChannelType } from './channels.js';
import { publishChatEvents } from './chat-events.js';

export interface ChannelMuteInput {
  /** stream-chat's channel.mute() sends one cid, node-sdk's muteChannel a list. */
  channel_cids: string[];
  /** How long, in milliseconds; for ever when absent. */
  expiration?: number;
  user_id?: string;
}

export interface ChannelMuteResult {
  user: User;
  /** The mutes this request made, in the order asked. */
  muted: ChannelMuteView[];
  /** All the user's active channel mutes now. */
  all: ChannelMuteView[];
}

// A year of milliseconds bounds the arithmetic (and a typo).
const MAX_EXPIRATION_MS = 365 * 24 * 3_600_000;

/**
 * Channel mutes (`POST /moderation/mute/channel`, `/unmute/channel`): a user mutes channels it
 * is a member of, the server on behalf of any user. Each change reports channel.muted or
 * channel.unmuted to webhooks and notification.channel_mutes_updated, with the user's whole
 * list as `me.channel_mutes`, to the user's connections (stream-chat's mutedChannels).
 */
export class ChannelMutesService {
  constructor(private readonly deps: AppDeps) {}

  async mute(caller: Caller, input: ChannelMuteInput): Promise<ChannelMuteResult> {
    return this.change(caller, input, true);
  }

  async unmute(caller: Caller, input: ChannelMuteInput): Promise<ChannelMuteResult> {
    return this.change(caller, input, false);
  }

  /** The user's active mutes: health.check's `me.channel_mutes`. */
  ofUser(userId: string): Promise<ChannelMuteView[]> {
    return this.deps.storage.channelMutes.ofUser(userId, this.deps.clock.nowMicros());
  }

  private async change(caller: Caller, input: ChannelMuteInput, mute: boolean): Promise<ChannelMuteResult> {
    const who = actingUserOf(caller, input.user_id, true, mute ? 'mute channels' : 'unmute channels')!;
    const cids = [...new Set(input.channel_cids)];
    if (cids.length === 0) throw inputError('channel_cid or channel_cids is required', { channel_cids: 'required' });
    if (cids.length > MAX_MUTED_CHANNELS_PER_REQUEST) {
      throw inputError(`at most ${MAX_MUTED_CHANNELS_PER_REQUEST} channels per request`, { channel_cids: 'too many' });
    }
    for (const cid of cids) checkChannelType(splitCid(cid).type);
    const expiration = input.expiration;
    if (expiration !== undefined && (!Number.isInteger(expiration) || expiration < 1 || expiration > MAX_EXPIRATION_MS)) {
      throw inputError(`expiration must be a whole number of milliseconds between 1 and ${MAX_EXPIRATION_MS}`, { expiration: 'out of range' });
    }
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const users = await usersById(stores, [who]);
      requireUsers(users, [who], 'user_id');
      const user = users.get(who)!;
      const channels = [];
      for (const cid of cids) {
        const channel = await stores.channels.get(cid);
        // A mute of a channel deleted since can still be lifted.
        if (!channel && !mute) continue;
        if (!channel) throw notFound(`channel "${cid}" does not exist`);
        if (caller.kind === 'user' && mute) requireMember(caller, channel, (await stores.members.batchGet(cid, [who]))[0]);
        channels.push(channel);
      }
      const rows: ChannelMute[] = cids.map((channel_cid) => ({
        user_id: who,
        channel_cid,
        expires_at: expiration === undefined ? null : now + expiration * 1000,
        created_at: now,
        updated_at: now,
      }));
      if (mute) await stores.channelMutes.upsert(rows);
      else await stores.channelMutes.delete(who, cids);
      const all = await stores.channelMutes.ofUser(who, now);
      const byCid = new Map(all.map((m) => [m.mute.channel_cid, m]));
      const events: ChatEvent[] = channels.map((channel) => ({
        type: mute ? 'channel.muted' : 'channel.unmuted', created_at: now, channel, with_channel: true, user: { id: who, user },
        to_watchers: false,
        ...(mute && expiration !== undefined && { fields: { expiration } }),
      }));
      events.push({
        type: 'notification.channel_mutes_updated', created_at: now, user: { id: who, user }, channel_mutes: { user, mutes: all },
        notify: [who], webhook: false,
      });
      await publishChatEvents(this.deps, stores, events);
      return { user, muted: mute ? cids.flatMap((cid) => byCid.get(cid) ?? []) : [], all };
    });
  }
}

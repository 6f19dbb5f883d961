import type { Channel } from './channel.js';
import type { Micros } from './clock.js';

/** A user's mute of a channel (`POST /moderation/mute/channel`), until `expires_at` if set. */
export interface ChannelMute {
  user_id: string;
  channel_cid: string;
  expires_at: Micros | null;
  created_at: Micros;
  updated_at: Micros;
}

/** A mute with its channel, as clients read it (`me.channel_mutes`, the mute response). */
export interface ChannelMuteView {
  mute: ChannelMute;
  /** Null when the channel is gone (deleted after it was muted). */
  channel: Channel | null;
}

/** Channels one request may mute or unmute. */
export const MAX_MUTED_CHANNELS_PER_REQUEST = 25;

/** An expired mute is no mute: readers skip it, and muting again replaces it. */
export const isMuteActive = (mute: ChannelMute, now: Micros) => mute.expires_at === null || mute.expires_at > now;

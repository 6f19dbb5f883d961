import type { ChannelExportData } from '../app/channel-export.js';
import { legacyWire as wire } from './wire-encoder.js';

/**
 * An export_channels file: `{channels: [{channel, members, messages}], users?}`, each object as
 * the legacy REST API returns it (RFC 3339 times, custom fields flattened), whatever route
 * family asked for it. Deleted messages are there as `deleted_at` says (and truncated ones
 * only with include_truncated_messages).
 */
export function encodeChannelExport(data: ChannelExportData): string {
  return JSON.stringify({
    channels: data.channels.map((c) => ({
      channel: wire.channel(c.channel, c.created_by),
      members: c.members.map((m) => wire.member(m)),
      messages: c.messages.map((m) => wire.message(m)),
    })),
    ...(data.users && { users: data.users.map((u) => wire.user(u)) }),
  });
}

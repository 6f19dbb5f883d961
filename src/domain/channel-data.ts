import { channelReservedFields, type Channel } from './channel.js';
import type { Micros } from './clock.js';
import { inputError, notAllowed } from './errors.js';

/** The channel fields a full update (`POST /channels/{type}/{id}` with `data`) may give. */
export interface ChannelDataInput {
  custom: Record<string, unknown>;
  frozen?: boolean;
  disabled?: boolean;
  team?: string | null;
}

/**
 * Built-in fields a partial update may not touch: they are kept by Herald (counts, times, the
 * creator), changed by other operations (members, truncation) or not supported (cooldown).
 */
const READ_ONLY = new Set([...channelReservedFields].filter((f) => !['frozen', 'disabled', 'team', 'custom'].includes(f)));

const teamChange = (server: boolean, channel: Channel, team: string | null) => {
  if (!server && team !== channel.team) throw notAllowed('only the server may change a channel\'s team');
};

/**
 * Stream's full update: the custom data given replaces the channel's whole custom data; the
 * built-in flags change only when given. Read-only fields in `data` were dropped by the caller
 * (stream-chat sends back the channel it read), so they are ignored rather than refused.
 */
export function replaceChannelData(channel: Channel, data: ChannelDataInput, now: Micros, server: boolean): Channel {
  if (data.team !== undefined) teamChange(server, channel, data.team);
  return {
    ...channel,
    custom: data.custom,
    frozen: data.frozen ?? channel.frozen,
    disabled: data.disabled ?? channel.disabled,
    team: data.team === undefined ? channel.team : data.team,
    updated_at: now,
  };
}

/**
 * Stream's partial update (`PATCH /channels/{type}/{id}`): `set` wins over `unset` for the
 * same key. `frozen`, `disabled` and `team` are built in; `custom` (the v2 form) sets several
 * custom fields at once; any other non-reserved name is custom data. A reserved name is refused.
 */
export function patchChannel(channel: Channel, set: Record<string, unknown>, unset: readonly string[], now: Micros, server: boolean): Channel {
  const next: Channel = { ...channel, custom: { ...channel.custom }, updated_at: now };
  for (const key of unset) {
    if (typeof key !== 'string') throw inputError('unset must be a list of field names', { unset: 'invalid' });
    if (key === 'frozen' || key === 'disabled') next[key] = false;
    else if (key === 'team') {
      teamChange(server, channel, null);
      next.team = null;
    } else if (key === 'custom' || READ_ONLY.has(key)) throw inputError(`${key} is a reserved field and cannot be unset`, { unset: key });
    else delete next.custom[key];
  }
  for (const [key, value] of Object.entries(set)) {
    if (key === 'frozen' || key === 'disabled') {
      if (typeof value !== 'boolean') throw inputError(`set.${key} must be true or false`, { [key]: 'not a boolean' });
      next[key] = value;
    } else if (key === 'team') {
      if (value !== null && typeof value !== 'string') throw inputError('set.team must be a string', { team: 'not a string' });
      teamChange(server, channel, value);
      next.team = value;
    } else if (key === 'custom') {
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw inputError('set.custom must be an object', { custom: 'not an object' });
      for (const [name, v] of Object.entries(value)) {
        if (channelReservedFields.has(name)) throw inputError(`${name} is a reserved field and cannot be custom data`, { set: name });
        next.custom[name] = v;
      }
    } else if (READ_ONLY.has(key)) {
      throw inputError(`${key} is a reserved field and cannot be set`, { set: key });
    } else next.custom[key] = value;
  }
  return next;
}

/** add_filter_tags / remove_filter_tags: `filter_tags` is custom data (channel filters read it there). */
export function changeFilterTags(channel: Channel, add: readonly string[], remove: readonly string[], now: Micros): Channel {
  const current = Array.isArray(channel.custom.filter_tags) ? (channel.custom.filter_tags as unknown[]).filter((t) => typeof t === 'string') : [];
  const tags = [...new Set([...current, ...add])].filter((t) => !remove.includes(t as string));
  return { ...channel, custom: { ...channel.custom, filter_tags: tags }, updated_at: now };
}

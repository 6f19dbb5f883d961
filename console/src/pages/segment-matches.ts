import type { Api } from '../api';
import type { User } from '../wire-types';

/**
 * The live count of a segment filter before it is saved: Herald's POST /segments/count counts
 * every match exactly (as the sizer counts a saved segment), and the query the SDKs use
 * (GET /users, POST /channels) lists the first page of them.
 */
export const MATCH_PAGE = { user: 100, channel: 30 } as const;

export interface Matches {
  /** Every match, counted. */
  count: number;
  /** The first matches, by id. */
  ids: string[];
}

async function firstIds(api: Api, type: 'user' | 'channel', filter: Record<string, unknown>): Promise<string[]> {
  if (type === 'user') {
    const payload = JSON.stringify({ filter_conditions: filter, sort: [{ field: 'id', direction: 1 }], limit: MATCH_PAGE.user });
    const { users } = await api.get<{ users: User[] }>('/users', { payload });
    return users.map((u) => u.id);
  }
  const answer = await api.post<{ channels: Array<{ channel: { cid: string } }> }>('/channels', {
    filter_conditions: filter,
    limit: MATCH_PAGE.channel,
    message_limit: 0,
    state: false,
  });
  return answer.channels.map((c) => c.channel.cid);
}

export async function matchFilter(api: Api, type: 'user' | 'channel', filter: Record<string, unknown>): Promise<Matches> {
  const [{ count }, ids] = await Promise.all([api.post<{ count: number }>('/segments/count', { type, filter }), firstIds(api, type, filter)]);
  return { count, ids };
}

export const matchText = (m: Matches, type: 'user' | 'channel'): string => `${m.count} ${type}${m.count === 1 ? '' : 's'} match`;

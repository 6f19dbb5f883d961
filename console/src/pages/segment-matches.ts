import type { Api } from '../api';
import type { User } from '../wire-types';

/**
 * The live count of a segment filter before it is saved: the API has no count of a filter,
 * so the console asks the query the SDKs use (GET /users, POST /channels) for one page and
 * says exactly how many match up to that page, and "at least" beyond it. The exact size of
 * a saved segment comes from the server's background sizer (size, size_computed_at).
 */
export const MATCH_PAGE = { user: 100, channel: 30 } as const;

export interface Matches {
  ids: string[];
  /** The page was full: more may match. */
  more: boolean;
}

export async function matchFilter(api: Api, type: 'user' | 'channel', filter: Record<string, unknown>): Promise<Matches> {
  if (type === 'user') {
    const payload = JSON.stringify({ filter_conditions: filter, sort: [{ field: 'id', direction: 1 }], limit: MATCH_PAGE.user });
    const { users } = await api.get<{ users: User[] }>('/users', { payload });
    return { ids: users.map((u) => u.id), more: users.length === MATCH_PAGE.user };
  }
  const answer = await api.post<{ channels: Array<{ channel: { cid: string } }> }>('/channels', {
    filter_conditions: filter,
    limit: MATCH_PAGE.channel,
    message_limit: 0,
    state: false,
  });
  return { ids: answer.channels.map((c) => c.channel.cid), more: answer.channels.length === MATCH_PAGE.channel };
}

export const matchText = (m: Matches, type: 'user' | 'channel'): string =>
  m.more ? `at least ${m.ids.length} ${type}s match (the exact size is computed once the segment is saved)` : `${m.ids.length} ${type}${m.ids.length === 1 ? '' : 's'} match`;

import type { RunningHerald } from '../herald-server.js';
import { json, rawCall } from '../raw-client.js';
import type { FuzzPool } from './fuzz-pool.js';

/**
 * A little valid data, so that generated references reach deep code paths: users, a channel
 * with messages, a segment with targets, a campaign in draft, a pending task. The fuzzer's own
 * requests deactivate, delete and start things; `keepSeeded` (run every few hundred requests)
 * makes replacements with a new generation suffix when they are gone, and points the pool at
 * them.
 */
const NAMES = ['ann', 'bob', 'carl', 'dora', 'eve'];
const CROWD = Array.from({ length: 40 }, (_, i) => `crowd-${i}`);
// Custom data for templates whose cost depends on the receiver (liquid-templates.ts): ~3.6 KB.
const heavy = { arr: Array.from({ length: 900 }, (_, i) => (i * 7919) % 1000), n: 100_000 };

export async function seedData(h: RunningHerald, pool: FuzzPool): Promise<void> {
  const task = await call(h, 'POST', '/users/delete', { user_ids: ['zz-gone'], user: 'soft' });
  if (task.body.task_id) pool.setSeeded('task', [task.body.task_id]);
  await keepSeeded(h, pool, 0);
}

async function call(h: RunningHerald, method: string, path: string, body?: unknown) {
  return rawCall(h.baseURL, method, path, { body: body === undefined ? undefined : json(body) });
}

function must(answer: { status: number; text: string }, what: string): void {
  if (answer.status >= 300) throw new Error(`could not seed ${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
}

/** Makes sure the seeded users, channel, messages, segment and draft campaign are there. */
export async function keepSeeded(h: RunningHerald, pool: FuzzPool, generation: number): Promise<void> {
  // What the feed-pruner and webhook loops (off here) would do, all at once: every request's
  // checksum reads the chat feed and the outbox (once a fuzzed PATCH /app set a webhook),
  // whose rows carry whole users and grow with most successful requests.
  await h.herald.deps.storage.feed.prune(h.herald.deps.clock.nowMicros() + 1);
  await h.database.db.deleteFrom('webhook_outbox').execute();
  let users = pool.seededIds('user');
  const found = users.length
    ? await call(h, 'GET', `/users?payload=${encodeURIComponent(JSON.stringify({ filter_conditions: { id: { $in: users } } }))}`)
    : undefined;
  const live = (found?.body.users ?? []).filter((u: Record<string, unknown>) =>
    !u.deactivated_at && !u.deleted_at && !u.banned && !u.revoke_tokens_issued_before);
  if (live.length < NAMES.length) {
    users = NAMES.map((name) => (generation ? `${name}-${generation}` : name));
    const answer = await call(h, 'POST', '/users', {
      users: Object.fromEntries(users.map((id, i) => [id, { id, name: id.toUpperCase(), teams: ['red'], tier: i, vip: i % 2 === 0, ...heavy }])),
    });
    must(answer, 'users');
    pool.setSeeded('user', users);
  }
  const [ann, bob, carl] = users;
  // An audience of 40 more, made once; without the heavy data, which would make every
  // checksum of the users table (one a request) slower.
  if (generation === 0) {
    must(await call(h, 'POST', '/users', { users: Object.fromEntries(CROWD.map((id) => [id, { id, tier: 1 }])) }), 'the crowd');
  }

  // The channel, with two messages of ann's; when that fails (ann banned from it, the channel
  // frozen, truncated or deleted), a new channel.
  const seededCid = pool.seededIds('cid')[0];
  let seeded = seededCid ? await seedChannel(h, seededCid, [ann, bob, carl]) : undefined;
  seeded ??= await seedChannel(h, generation ? `messaging:general-${generation}` : 'messaging:general', [ann, bob, carl]);
  if (!seeded) throw new Error('could not seed a channel with messages');
  pool.setSeeded('cid', [seeded.cid]);
  pool.setSeeded('channel', [seeded.cid.split(':')[1]]);
  pool.setSeeded('message', seeded.messages);

  // A user segment of targets; one the fuzzer deleted or gave a filter is replaced.
  let segmentId = pool.seededIds('segment')[0] ?? 'fuzz-seg';
  if ((await call(h, 'POST', `/segments/${segmentId}/addtargets`, { target_ids: [ann, bob, ...CROWD] })).status !== 201) {
    segmentId = generation ? `fuzz-seg-${generation}` : 'fuzz-seg';
    must(await call(h, 'POST', '/segments', { id: segmentId, type: 'user', name: 'fuzz segment' }), 'a segment');
      must(await call(h, 'POST', `/segments/${segmentId}/addtargets`, { target_ids: [ann, bob, ...CROWD] }), 'segment targets');
  }
  pool.setSeeded('segment', [segmentId]);

  const current = pool.seededIds('campaign')[0];
  const campaign = current ? await call(h, 'GET', `/campaigns/${current}`) : undefined;
  if (campaign?.body.campaign?.status !== 'draft' || campaign.body.campaign.sender_id !== ann) {
    const draftId = `fuzz-draft-${generation}`;
    must(await call(h, 'POST', '/campaigns', {
      id: draftId, sender_id: ann, segment_ids: [segmentId], create_channels: true,
      channel_template: { type: 'messaging' }, message_template: { text: 'Hi {{ receiver.name }}' },
    }), 'a campaign');
    pool.setSeeded('campaign', [draftId]);
  }
}

/** The channel with its members and two live messages of the first member's; undefined when that cannot be. */
async function seedChannel(h: RunningHerald, cid: string, members: string[]): Promise<{ cid: string; messages: string[] } | undefined> {
  const [type, id] = cid.split(':');
  const channel = await call(h, 'POST', `/channels/${type}/${id}/query`, { data: { created_by_id: members[0], members }, messages: { limit: 5 } });
  if (channel.status !== 201 || channel.body.channel?.frozen || channel.body.channel?.disabled) return undefined;
  const messages: string[] = (channel.body.messages ?? []).filter((m: { deleted_at?: string; type?: string }) => !m.deleted_at && m.type === 'regular')
    .map((m: { id: string }) => m.id);
  while (messages.length < 2) {
    const sent = await call(h, 'POST', `/channels/${type}/${id}/message`, { message: { text: `hello ${messages.length}`, user_id: members[0] } });
    if (sent.status !== 201) return undefined;
    messages.push(sent.body.message.id);
  }
  return { cid, messages: messages.slice(0, 3) };
}

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamChat } from 'stream-chat';
import { postgresBackend, postgresUnavailable, type CreatedDatabase } from './support/backends.js';
import { connectClients, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { TEST_API_KEY, TEST_API_SECRET } from './support/herald-server.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';

/**
 * Issue 10, fan-out across processes: real server processes, as `npm start` runs them. On
 * PostgreSQL, two API processes hold the clients and a worker process sends the campaign;
 * events reach every client through LISTEN/NOTIFY. On SQLite, one `all` process, whose sender
 * thread wakes the API thread.
 */
const serverClient = (baseURL: string) => new StreamChat(TEST_API_KEY, TEST_API_SECRET, { baseURL, timeout: 15_000 });
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function sendCampaign(server: StreamChat, sender: string, clients: ChatClient[]): Promise<string> {
  const campaign = server.campaign({
    sender_id: sender,
    user_ids: clients.map((c) => c.userId),
    create_channels: true,
    channel_template: { type: 'messaging' },
    message_template: { text: 'Hello {{ receiver.name }}' },
  });
  await campaign.create();
  await campaign.start();
  return campaign.id!;
}

async function expectOneEach(clients: ChatClient[], campaignId: string): Promise<void> {
  await Promise.all(clients.map((c) => c.waitFor('notification.message_new')));
  await sleep(500);
  for (const c of clients) {
    const seen = c.of('message.new', 'notification.message_new').filter((e) => e.message?.campaign_id === campaignId);
    assert.equal(seen.length, 1, `${c.userId} gets the campaign message once`);
    assert.equal(seen[0].message?.text, `Hello Name ${c.userId}`);
    assert.equal(c.of('notification.added_to_channel').length, 1);
  }
}

const postgresSkip = (await postgresUnavailable()) ?? false;

describe('realtime across PostgreSQL processes: 2 API processes and 1 worker', { skip: postgresSkip }, () => {
  let created: CreatedDatabase;
  const processes: HeraldProcess[] = [];
  let api1: HeraldProcess;
  let api2: HeraldProcess;
  before(async () => {
    created = await postgresBackend.create();
    const databaseUrl = created.url!;
    [api1, api2] = await Promise.all([spawnHerald({ role: 'api', databaseUrl }), spawnHerald({ role: 'api', databaseUrl })]);
    processes.push(api1, api2, await spawnHerald({ role: 'worker', databaseUrl }));
  });
  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await created?.dispose();
  });

  it('delivers a campaign sent by the worker to clients split across both API processes', async () => {
    const server = serverClient(api1.baseURL);
    const users = ids('pg', 20);
    await server.upsertUsers([{ id: 'sender', name: 'Sender' }, ...users.map((id) => ({ id, name: `Name ${id}` }))]);
    const clients = [...(await connectClients(api1.baseURL, users.slice(0, 10))), ...(await connectClients(api2.baseURL, users.slice(10)))];
    try {
      await expectOneEach(clients, await sendCampaign(server, 'sender', clients));
    } finally {
      await disconnectAll(clients);
    }
  });

  it('relays chat, typing and watch requests from one API process to the clients of the other', async () => {
    const server = serverClient(api2.baseURL);
    await server.upsertUsers([{ id: 'ann' }, { id: 'bob' }]);
    await server.channel('messaging', 'across', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
    const [bob] = await connectClients(api1.baseURL, ['bob']);
    try {
      // Bob's socket is on api1; a load balancer sent his watch call to api2.
      const connectionId = bob.client.wsConnection!.connectionID!;
      const response = await fetch(`${api2.baseURL}/channels/messaging/across/query?api_key=${TEST_API_KEY}&connection_id=${connectionId}`, {
        method: 'POST',
        headers: { authorization: signToken({ user_id: 'bob' }), 'content-type': 'application/json', 'stream-auth-type': 'jwt' },
        body: JSON.stringify({ state: true, watch: true }),
      });
      assert.equal(response.status, 201);
      // The watch travels through NOTIFY; a message sent after it arrives as message.new.
      await waitFor('the watch to reach api1', async () => {
        await server.channel('messaging', 'across').sendEvent({ type: 'typing.start', user_id: 'ann' } as never);
        return bob.of('typing.start').length > 0;
      });
      await server.channel('messaging', 'across').sendMessage({ text: 'via api2', user_id: 'ann' });
      const [event] = await bob.waitFor('message.new');
      assert.equal(event.message?.text, 'via api2');
      assert.equal(bob.of('notification.message_new').length, 0);
    } finally {
      await bob.client.disconnectUser();
    }
  });
});

describe('realtime in one SQLite process (HERALD_ROLE=all): the sender thread wakes the API thread', () => {
  let dir: string;
  let herald: HeraldProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-rt-'));
    herald = await spawnHerald({ role: 'all', dataDir: dir });
  });
  after(async () => {
    await herald?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a campaign to every connected client', async () => {
    const server = serverClient(herald.baseURL);
    const users = ids('lite', 10);
    await server.upsertUsers([{ id: 'sender' }, ...users.map((id) => ({ id, name: `Name ${id}` }))]);
    const clients = await connectClients(herald.baseURL, users);
    try {
      await expectOneEach(clients, await sendCampaign(server, 'sender', clients));
    } finally {
      await disconnectAll(clients);
    }
  });
});

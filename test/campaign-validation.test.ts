import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Liquid } from 'liquidjs';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';

/**
 * Campaign validation (contract 2.2 and 2.4, issue 3): every rule is a 400 with code 4 whose
 * message names the field, at create and at update, and a refused request writes nothing.
 */
const valid = { sender_id: 'ann', user_ids: ['bob'], message_template: { text: 'Hi {{ receiver.name }}' } };

/** Liquid's own words for a template, as Herald's engine parses it. */
function liquidError(template: string): string {
  try {
    new Liquid({ strictFilters: true }).parse(template);
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
  throw new Error(`${template} parses`);
}

interface Rule {
  rule: string;
  /** Fields laid over a valid body. */
  body: Record<string, unknown>;
  /** The field named in exception_fields. */
  field: string;
  message: RegExp | string;
  /** Also refused on update, as a merge of these fields into a valid campaign. */
  onUpdate?: boolean;
}

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const rules: Rule[] = [
  { rule: 'sender_id is required', body: { sender_id: undefined }, field: 'sender_id', message: 'sender_id is a required field' },
  { rule: 'sender_id may not be empty', body: { sender_id: '' }, field: 'sender_id', message: 'sender_id is a required field', onUpdate: true },
  { rule: 'message_template is required', body: { message_template: undefined }, field: 'message_template.text', message: 'message_template.text is a required field' },
  { rule: 'message_template.text is required', body: { message_template: { custom: { a: 1 } } }, field: 'message_template.text', message: 'message_template.text is a required field', onUpdate: true },
  { rule: 'user_ids and segment_ids cannot both be given', body: { segment_ids: ['seg-1'] }, field: 'user_ids', message: 'user_ids and segment_ids cannot both be given' },
  { rule: 'at most 10,000 user_ids', body: { user_ids: ids(10_001, 'u') }, field: 'user_ids', message: 'user_ids must have at most 10000 items', onUpdate: true },
  { rule: 'at most 25 segment_ids', body: { user_ids: undefined, segment_ids: ids(26, 'seg-') }, field: 'segment_ids', message: 'segment_ids must have at most 25 items', onUpdate: true },
  { rule: 'sender_mode is include or exclude', body: { sender_mode: 'always' }, field: 'sender_mode', message: 'sender_mode must be one of include, exclude; got "always"', onUpdate: true },
  { rule: 'sender_visibility is hidden or archived', body: { sender_visibility: 'secret' }, field: 'sender_visibility', message: 'sender_visibility must be one of hidden, archived; got "secret"', onUpdate: true },
  { rule: 'create_channels needs channel_template', body: { create_channels: true }, field: 'channel_template', message: 'channel_template is required when create_channels is true', onUpdate: true },
  { rule: 'channel_template.type is required', body: { channel_template: { id: '{{ receiver.id }}' } }, field: 'channel_template.type', message: 'channel_template.type is a required field', onUpdate: true },
  {
    rule: 'channel_template.members and members_template are exclusive',
    body: { channel_template: { type: 'messaging', members: ['cyd'], members_template: [{ user_id: 'cyd', channel_role: 'channel_moderator' }] } },
    field: 'channel_template.members',
    message: 'channel_template.members and channel_template.members_template cannot both be given',
    onUpdate: true,
  },
  {
    rule: 'message_template.text must parse as Liquid (unclosed output)',
    body: { message_template: { text: 'Hello {{ receiver.name' } },
    field: 'message_template.text',
    message: `message_template.text is not a valid template: ${liquidError('Hello {{ receiver.name')}`,
    onUpdate: true,
  },
  {
    rule: 'message_template.text must parse as Liquid (unknown filter)',
    body: { message_template: { text: 'Hi {{ receiver.name | shout }}' } },
    field: 'message_template.text',
    message: `message_template.text is not a valid template: ${liquidError('Hi {{ receiver.name | shout }}')}`,
  },
  {
    rule: 'channel_template.id must parse as Liquid',
    body: { channel_template: { type: 'messaging', id: '{% if receiver.id %}{{ receiver.id }}' } },
    field: 'channel_template.id',
    message: `channel_template.id is not a valid template: ${liquidError('{% if receiver.id %}{{ receiver.id }}')}`,
    onUpdate: true,
  },
  { rule: 'the sender must exist', body: { sender_id: 'ghost' }, field: 'sender_id', message: 'sender_id "ghost" does not exist', onUpdate: true },
  { rule: 'a deleted sender does not exist', body: { sender_id: 'gone' }, field: 'sender_id', message: 'sender_id "gone" does not exist' },
  { rule: 'the segments must exist', body: { user_ids: undefined, segment_ids: ['seg-1', 'nope-1', 'nope-2'] }, field: 'segment_ids', message: 'segment_ids do not exist: nope-1, nope-2', onUpdate: true },
  { rule: 'at most 30 attachments', body: { message_template: { text: 'x', attachments: ids(31, 'a').map((title) => ({ title })) } }, field: 'message_template.attachments', message: 'message_template.attachments must have at most 30 items' },
  { rule: 'sender_id is a string', body: { sender_id: 42 }, field: 'sender_id', message: /sender_id must be string/ },
  { rule: 'user_ids is an array', body: { user_ids: 'bob' }, field: 'user_ids', message: /user_ids must be array/ },
  { rule: 'id is at most 255 characters', body: { id: 'c'.repeat(256) }, field: 'id', message: /id must NOT have more than 255 characters/ },
  { rule: 'id has no characters that need escaping in a path', body: { id: 'a/b c' }, field: 'id', message: /id must be 1 to 255 letters/ },
];

const overlay = (base: Record<string, unknown>, over: Record<string, unknown>) =>
  Object.fromEntries(Object.entries({ ...base, ...over }).filter(([, v]) => v !== undefined));
const messageMatches = (message: string, want: RegExp | string) =>
  typeof want === 'string' ? message.includes(want) : want.test(message);

for (const { backend, skip } of await backends()) {
  describe(`campaign validation on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const raw = (method: string, path: string, body?: unknown) =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });
    const countCampaigns = async () => (await h.chat.queryCampaigns({}, [], { limit: 100 })).campaigns.length;

    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob', name: 'Bob' }, { id: 'cyd' }, { id: 'gone' }]);
      await h.chat.deleteUsers(['gone'], { user: 'soft' });
      await h.chat.createUserSegment('seg-1');
    });
    after(async () => h?.close());

    describe('at create', () => {
      rules.forEach(({ rule, body, field, message }, i) => {
        it(rule, async () => {
          const before = await countCampaigns();
          const id = `bad-create-${i}`;
          for (const prefix of ['', '/api/v2/chat']) {
            const answer = await raw('POST', `${prefix}/campaigns`, overlay({ id, ...valid }, body));
            assertRawError(answer, 400, 4, /^CreateCampaign failed with error: "/);
            assert.ok(messageMatches(answer.body.message, message), `message ${answer.body.message} should name ${message}`);
            assert.ok(Object.hasOwn(answer.body.exception_fields ?? {}, field), `exception_fields ${JSON.stringify(answer.body.exception_fields)} name ${field}`);
          }
          if (!('id' in body)) assertRawError(await raw('GET', `/campaigns/${id}`), 404, 16);
          assert.equal(await countCampaigns(), before, 'nothing was written');
        });
      });
    });

    describe('at update, merging the given fields into the stored campaign', () => {
      let stored: Record<string, unknown>;
      before(async () => {
        const created = await raw('POST', '/campaigns', { id: 'target', ...valid, name: 'kept' });
        assert.equal(created.status, 201, created.text);
        stored = created.body.campaign;
      });

      for (const { rule, body, field, message } of rules.filter((r) => r.onUpdate)) {
        it(rule, async () => {
          for (const prefix of ['', '/api/v2/chat']) {
            const answer = await raw('PUT', `${prefix}/campaigns/target`, overlay({}, body));
            assertRawError(answer, 400, 4, /^UpdateCampaign failed with error: "/);
            assert.ok(messageMatches(answer.body.message, message), `message ${answer.body.message} should name ${message}`);
            assert.ok(Object.hasOwn(answer.body.exception_fields ?? {}, field));
          }
          assert.deepEqual((await h.chat.getCampaign('target')).campaign, stored, 'a refused update changes nothing');
        });
      }

      it('user_ids and segment_ids cannot both be given in one update', async () => {
        const answer = await raw('PUT', '/campaigns/target', { user_ids: ['bob'], segment_ids: ['seg-1'] });
        assertRawError(answer, 400, 4, /user_ids and segment_ids cannot both be given/);
        assert.deepEqual((await h.chat.getCampaign('target')).campaign, stored);
      });

      it('a merge is checked as a whole: create_channels passes once a channel_template is stored', async () => {
        const template = await raw('PUT', '/campaigns/target', { channel_template: { type: 'messaging', members_template: [{ user_id: 'cyd' }] } });
        assert.equal(template.status, 201, template.text);
        const answer = await raw('PUT', '/campaigns/target', { create_channels: true });
        assert.equal(answer.status, 201, answer.text);
        assert.equal(answer.body.campaign.create_channels, true);
        const replaced = await raw('PUT', '/campaigns/target', { channel_template: { type: 'messaging', members: ['cyd'] } });
        assert.deepEqual(replaced.body.campaign.channel_template, { type: 'messaging', members: ['cyd'] }, 'channel_template is replaced as a whole');
        assert.equal(replaced.body.campaign.name, 'kept');
      });
    });

    it('at the limits: 10,000 user_ids and 25 segment_ids are accepted', async () => {
      const big = await raw('POST', '/campaigns', { ...valid, user_ids: ids(10_000, 'u') });
      assert.equal(big.status, 201, big.text);
      assert.equal(big.body.campaign.user_ids.length, 10_000);
      for (const id of ids(25, 'lim-seg-')) await h.chat.createUserSegment(id);
      const many = await raw('POST', '/campaigns', { ...valid, user_ids: undefined, segment_ids: ids(25, 'lim-seg-') });
      assert.equal(many.status, 201, many.text);
      assert.equal(many.body.campaign.segments.length, 25);
      for (const answer of [big, many]) await raw('DELETE', `/campaigns/${answer.body.campaign.id}`);
    });

    it('null fields are absent: a null id is generated, null options keep their defaults', async () => {
      const created = await raw('POST', '/campaigns', {
        ...valid, id: null, name: null, description: null, sender_mode: null, sender_visibility: null, segment_ids: null,
        channel_template: null, create_channels: null, message_template: { text: 'Hi', custom: null, poll_id: null },
      });
      assert.equal(created.status, 201, created.text);
      const c = created.body.campaign;
      assert.match(c.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual([c.name, c.description, c.sender_mode, c.sender_visibility, c.create_channels], ['', '', '', '', false]);
      assert.deepEqual(c.segment_ids, []);
      assert.deepEqual(c.message_template, { text: 'Hi' });
      assert.equal(c.channel_template, undefined);

      const updated = await raw('PUT', `/campaigns/${c.id}`, { name: null, sender_id: null, description: 'set', user_ids: null });
      assert.equal(updated.status, 201, updated.text);
      assert.deepEqual([updated.body.campaign.name, updated.body.campaign.sender_id, updated.body.campaign.description], ['', 'ann', 'set']);
      assert.deepEqual(updated.body.campaign.user_ids, ['bob']);
      assert.equal((await raw('POST', '/campaigns', { ...valid, id: '' })).status, 201, 'an empty id is generated too');
    });

    it('an existing id is refused, and the stored campaign is kept', async () => {
      await raw('POST', '/campaigns', { ...valid, id: 'taken', name: 'first' });
      const again = await raw('POST', '/campaigns', { ...valid, id: 'taken', name: 'second' });
      assertRawError(again, 400, 4, /taken/);
      assert.equal((await h.chat.getCampaign('taken')).campaign.name, 'first');
    });
  });
}

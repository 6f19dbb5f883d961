import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { backends } from './support/backends.js';
import { ledgerCounts } from './support/campaign-counts.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { streamError } from './support/stream-assertions.js';
import { tableSnapshot } from './support/table-snapshot.js';
import { waitFor } from './support/waiting.js';

/**
 * Issue 9, section 1: templates are data from API callers and never reach the disk. A real
 * file with a marker sits beside the server, in the directory LiquidJS would read by default
 * (the working directory); no answer and no sent message may ever contain the marker.
 */
const MARKER = `HERALD-SECRET-${randomUUID()}`;
const FILE = `herald-marker-${randomUUID().slice(0, 8)}.env`;
const TAGS = ['include', 'render', 'layout'] as const;
const valid = { sender_id: 'ann', user_ids: ['bob'], message_template: { text: 'Hi {{ receiver.name }}' } };

/** Every way a template reaches a file: each tag, quoted both ways, inside other tags. */
const hostile = TAGS.flatMap((tag) => [
  `{% ${tag} '${FILE}' %}`,
  `Hi {%- ${tag} "${FILE}" -%}!`,
  `{% if true %}{% ${tag} '${FILE}' %}{% endif %}`,
  `{% liquid\n${tag} '${FILE}'\n%}`,
  `{% ${tag} 'no/such/file.liquid' %}`,
].map((source) => ({ tag, source })));

for (const { backend, skip } of await backends()) {
  describe(`campaign templates cannot read files on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const answers: string[] = [];
    const call = async (method: string, path: string, body?: unknown): Promise<RawAnswer> => {
      const answer = await rawCall(h.baseURL, method, path, { body: body === undefined ? undefined : json(body) });
      answers.push(answer.text);
      return answer;
    };
    const completed = (id: string) =>
      waitFor(`campaign ${id} to complete`, async () => {
        const { campaign } = await h.chat.getCampaign(id);
        return campaign.status === 'completed' && campaign;
      });

    before(async () => {
      writeFileSync(join(process.cwd(), FILE), `${MARKER}\n`);
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'ann', name: 'Ann' }, { id: 'bob', name: 'Bob' }]);
    });
    after(async () => {
      rmSync(join(process.cwd(), FILE), { force: true });
      await h?.close();
    });

    for (const prefix of ['', '/api/v2/chat']) {
      it(`refuses every file tag at create and update, in the text and the channel id (${prefix || 'legacy'})`, async () => {
        const { body: draft } = await call('POST', `${prefix}/campaigns`, valid);
        const id = draft.campaign.id as string;
        for (const { tag, source } of hostile) {
          const bodies = [
            { field: 'message_template.text', body: { ...valid, message_template: { text: source } } },
            { field: 'channel_template.id', body: { ...valid, create_channels: true, channel_template: { type: 'messaging', id: source } } },
          ];
          for (const { field, body } of bodies) {
            const before = await tableSnapshot(h.database);
            for (const [method, path] of [['POST', `${prefix}/campaigns`], ['PUT', `${prefix}/campaigns/${id}`]] as const) {
              const answer = await call(method, path, body);
              assert.equal(answer.status, 400, answer.text);
              assert.equal(answer.body.code, 4);
              assert.match(answer.body.message, new RegExp(`${field.replace('.', '\\.')}: ${tag} is not supported in campaign templates`));
              assert.deepEqual(answer.body.exception_fields, { [field]: `${tag} is not supported in campaign templates` });
              assert.doesNotMatch(answer.text, /ENOENT|no such file|Failed to lookup/i, 'nothing is said of the disk');
            }
            assert.deepEqual(await tableSnapshot(h.database), before, 'a refused template stores nothing');
          }
        }
      });
    }

    it('refuses them through the SDK too', async () => {
      await assert.rejects(
        h.chat.campaign({ ...valid, message_template: { text: `{% include '${FILE}' %}` } }).create(),
        streamError(4, 400, /include is not supported in campaign templates/),
      );
    });

    it('fails each target of a template stored before the rule, and reads no file', async () => {
      const { body } = await call('POST', '/campaigns', { ...valid, user_ids: ['ann', 'bob'] });
      const id = body.campaign.id as string;
      // As an earlier Herald could have stored it: straight into the row, past validation.
      const text = `Secret: {% include '${FILE}' %}`;
      await sql`update campaigns set message_template = ${JSON.stringify({ text })} where id = ${id}`.execute(h.database.db);
      await h.chat.campaign(id).start();
      await completed(id);
      assert.deepEqual(await ledgerCounts(h.database, id), { failed: 2 });
      const { target } = (await call('GET', `/campaigns/${id}/targets/bob`)).body;
      assert.match(target.error, /^message_template\.text: include is not supported in campaign templates/);
      const { rows } = await sql<{ text: string }>`select text from messages`.execute(h.database.db);
      assert.ok(rows.every((r) => !r.text.includes(MARKER)));
    });

    it('fails the one target whose render is over budget, and sends the others', async () => {
      const list = Array.from({ length: 100 }, (_, i) => i);
      await h.chat.upsertUsers([{ id: 'big', l: list }, { id: 'small1', l: [1] }, { id: 'small2', l: [1, 2] }]);
      const loops = '{% for a in receiver.l %}{% for b in receiver.l %}{% for c in receiver.l %}.{% endfor %}{% endfor %}{% endfor %}';
      const { body } = await call('POST', '/campaigns', { ...valid, user_ids: ['big', 'small1', 'small2'], create_channels: true,
        channel_template: { type: 'messaging' }, message_template: { text: loops } });
      assert.ok(body.campaign, JSON.stringify(body));
      const id = body.campaign.id as string;
      await h.chat.campaign(id).start();
      const campaign = await completed(id);
      assert.deepEqual(await ledgerCounts(h.database, id), { failed: 1, sent: 2 });
      assert.equal(campaign.stats.stats_messages_sent, 2);
      const { target } = (await call('GET', `/campaigns/${id}/targets/big`)).body;
      assert.match(target.error, /^message_template\.text: the template renders more than 10000 steps/);
      const { rows } = await sql<{ text: string }>`select text from messages where campaign_id = ${id} order by text`.execute(h.database.db);
      assert.deepEqual(rows.map((r) => r.text), ['.', '........']);
    });

    it('never answered or sent the marker', async () => {
      assert.ok(answers.length > 60, `looked at ${answers.length} answers`);
      for (const text of answers) assert.ok(!text.includes(MARKER), text);
      const { rows } = await sql<{ text: string }>`select text from messages`.execute(h.database.db);
      for (const row of rows) assert.ok(!row.text.includes(MARKER));
      const ledger = await sql<{ error: string | null }>`select error from campaign_targets`.execute(h.database.db);
      for (const row of ledger.rows) assert.ok(!row.error?.includes(MARKER));
    });
  });
}

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { tableSnapshot } from './support/table-snapshot.js';

/**
 * Issue 9's sweep: generated custom data and templates against the routes that take them.
 * Whatever comes in, the answer is not a 5xx, an error is Stream's object with a known code,
 * and a refused request changes no table. Seeded, so a failure replays; FUZZ_SEED and
 * FUZZ_RUNS override for a longer run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 9);
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);
const KNOWN_CODES = new Set([4, 16, 17, 22]);

const nasty = fc.constantFrom('\u0000', '\ud800', 'a\udfffb', '__proto__', 'constructor', 'x'.repeat(6000), '9007199254740993', '');
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 8 }), nasty);
const nestedArrays = fc.integer({ min: 25, max: 80 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
});
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    nestedArrays,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
}));
const custom = fc.dictionary(text, value, { maxKeys: 5 });

const fragment = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom(
    '{{ receiver.name }}', '{{ sender.id | upcase }}', "{% include '.env' %}", "{% render 'package.json' %}", "{% layout 'x' %}",
    '{% for i in (1..100000000) %}x{% endfor %}', '{% for a in (1..300) %}{% for b in (1..300) %}.{% endfor %}{% endfor %}',
    '{% assign s = "ab" %}{% for i in (1..30) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}',
    '{% if receiver.vip %}', '{% endif %}', '{{', '%}', '{{ x | no_such_filter }}', '{% raw %}{% include %}{% endraw %}',
  ),
);
const template = fc.array(fragment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));

type Request = { method: string; path: string; body: unknown };
const request: fc.Arbitrary<Request> = fc.oneof(
  fc.record({ prefix: fc.constantFrom('', '/api/v2'), name: text, c: custom }).map(({ prefix, name, c }) => ({
    method: 'POST', path: `${prefix}/users`, body: { users: { fuzz: { ...c, id: 'fuzz', name } } },
  })),
  fc.record({ prefix: fc.constantFrom('', '/api/v2'), c: custom }).map(({ prefix, c }) => ({
    method: 'PATCH', path: `${prefix}/users`, body: { users: [{ id: 'ann', set: c }] },
  })),
  fc.record({ prefix: fc.constantFrom('', '/api/v2/chat'), id: fc.constantFrom('general', 'fuzzed'), c: custom }).map(({ prefix, id, c }) => ({
    method: 'POST', path: `${prefix}/channels/messaging/${id}/query`, body: { data: { ...c, created_by_id: 'ann' } },
  })),
  fc.record({ prefix: fc.constantFrom('', '/api/v2/chat'), t: text, c: custom }).map(({ prefix, t, c }) => ({
    method: 'POST', path: `${prefix}/channels/messaging/general/message`, body: { message: { ...c, text: t, user_id: 'ann' } },
  })),
  fc.record({ prefix: fc.constantFrom('', '/api/v2/chat'), t: template, id: fc.option(template), c: custom }).map(({ prefix, t, id, c }) => ({
    method: 'POST', path: `${prefix}/campaigns`,
    body: { sender_id: 'ann', user_ids: ['ann'], message_template: { text: t, custom: c },
      ...(id !== null && { create_channels: true, channel_template: { type: 'messaging', id } }) },
  })),
  fc.record({ prefix: fc.constantFrom('', '/api/v2/chat'), t: template, c: custom }).map(({ prefix, t, c }) => ({
    method: 'PUT', path: `${prefix}/campaigns/draft`, body: { message_template: { text: t }, channel_template: { type: 'messaging', custom: c } },
  })),
);

for (const { backend, skip } of await backends()) {
  describe(`generated input on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let refusals = 0;
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'ann', name: 'Ann' }]);
      await h.chat.channel('messaging', 'general', { created_by_id: 'ann', members: ['ann'] }).create();
      await h.chat.campaign({ id: 'draft', sender_id: 'ann', user_ids: ['ann'], message_template: { text: 'hi' } } as never).create();
    });
    after(async () => h?.close());

    it(`answers ${RUNS} generated requests without a 5xx, in Stream's shape, storing nothing when it refuses`, async () => {
      await fc.assert(
        fc.asyncProperty(request, async ({ method, path, body }) => {
          const before = await tableSnapshot(h.database);
          const answer = await rawCall(h.baseURL, method, path, { body: JSON.stringify(body) });
          assert.ok(answer.status < 500, `${method} ${path} → ${answer.status} ${answer.text.slice(0, 300)}`);
          if (answer.status >= 400) {
            refusals += 1;
            assert.ok(KNOWN_CODES.has(answer.body.code), answer.text);
            assert.equal(answer.body.StatusCode, answer.status);
            assert.equal(typeof answer.body.message, 'string');
            assert.equal(answer.body.more_info, 'https://getstream.io/chat/docs/api_errors_response');
            assert.deepEqual(await tableSnapshot(h.database), before, `a refused ${method} ${path} changed a table`);
          }
        }),
        { seed: SEED, numRuns: RUNS },
      );
      // The sweep must have exercised both sides.
      assert.ok(refusals > RUNS / 10 && refusals < RUNS, `${refusals} of ${RUNS} refused`);
    });
  });
}

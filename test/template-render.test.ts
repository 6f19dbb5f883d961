import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeraldError } from '../src/domain/errors.js';
import { TemplateBudget, TemplateBudgetExceeded } from '../src/domain/template-budget.js';
import { checkTemplate, compileTemplate, liquid } from '../src/domain/template.js';

const MAX = 5000;

const templates = [
  'Hi {{ receiver.name }}, I\'m {{ sender.name }}!',
  '{{receiver.id}}-{{sender.id}}',
  'Hello',
  '{Hello}',
  '{{ receiver.missing }}|{{ nobody.at.all }}|{{ campaign.name }}',
  '{{ receiver.teams }} {{ receiver.teams.size }} {{ receiver.teams.first }}',
  '{{ receiver.score }} {{ receiver.vip }} {{ receiver.nested.city }} {{ receiver.nested }}',
  '{% if receiver.vip %}VIP {% endif %}{{ receiver.name | upcase }}',
  '{{- receiver.name -}} !',
  '{{ channel.cid }} in {{ channel.type }}',
];

const people = [
  { id: 'ann', name: 'Ann', teams: ['red', 'blue'], score: 7, vip: true, nested: { city: 'Oslo' } },
  { id: 'bob', name: '<b>Bob</b> & "co"', teams: [], score: 0, vip: false, nested: null },
  { id: 'c-3', name: '', score: -1.5 },
  { id: 'd', name: null },
  { id: 'e', name: 'Émile 🚀', teams: ['x'], score: 1e21, nested: { city: 42 } },
];

describe('template rendering', () => {
  it('renders exactly as LiquidJS does, fast path or not', () => {
    for (const source of templates) {
      const render = compileTemplate(source, MAX);
      for (const receiver of people) {
        const vars = { receiver, sender: people[0], channel: { cid: 'messaging:x', type: 'messaging' }, campaign: { name: 'Spring' } };
        assert.equal(render(vars), liquid.parseAndRenderSync(source, vars), `${source} with ${JSON.stringify(receiver)}`);
      }
    }
  });

  it('renders a missing variable as an empty string, without HTML escaping', () => {
    const render = compileTemplate('[{{ receiver.nope }}]{{ receiver.name }}', MAX);
    assert.equal(render({ receiver: { name: 'A & <B>' } }), '[]A & <B>');
  });
});

/** The input error checkTemplate throws, or a failed assertion when it throws none. */
function refusal(source: string, field = 'message_template.text'): HeraldError {
  try {
    checkTemplate(source, field, MAX);
  } catch (error) {
    assert.ok(error instanceof HeraldError, String(error));
    assert.equal(error.code, 4);
    return error;
  }
  assert.fail(`${source} was accepted`);
}

function budgetError(render: () => unknown): TemplateBudgetExceeded {
  try {
    render();
  } catch (error) {
    assert.ok(error instanceof TemplateBudgetExceeded, String(error));
    return error;
  }
  assert.fail('rendered within budget');
}

describe('templates cannot reach the disk', () => {
  for (const tag of ['include', 'render', 'layout']) {
    it(`refuses ${tag} in every spelling, naming the field`, () => {
      for (const source of [
        `{% ${tag} 'package.json' %}`,
        `Hi {%- ${tag} "data/credentials.json" -%}`,
        `{% liquid\n ${tag} '.env'\n %}`,
        `{% if true %}{% ${tag} 'x' %}{% endif %}`,
      ]) {
        const error = refusal(source, 'channel_template.id');
        assert.match(error.message, new RegExp(`^channel_template.id: ${tag} is not supported in campaign templates`), source);
        assert.doesNotMatch(error.message, /ENOENT|\.json|"\."/, 'the message says nothing of the disk');
      }
    });
  }

  it('has no file system even when asked directly', () => {
    assert.throws(() => liquid.renderFileSync('package.json'), /no file system|Failed to lookup|ENOENT/);
    assert.throws(() => liquid.renderFileSync('package.json'), (error: Error) => !error.message.includes('"name": "herald"'));
  });
});

describe('template budgets', () => {
  it('refuses at create what is over budget whatever the variables', () => {
    assert.match(refusal('{% for i in (1..100000000) %}x{% endfor %}').message, /over the template budget: .*allocates more than/);
    assert.match(refusal('{% for i in (1..200) %}{% for j in (1..200) %}x{% endfor %}{% endfor %}').message, /more than 10000 steps/);
    assert.match(refusal('{% assign s = "xx" %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}').message, /allocates more than/);
    assert.match(refusal('{% for i in (1..40) %}{% assign s = s | append: s | append: "x" %}{% endfor %}').message, /over the template budget/);
    assert.match(refusal('x'.repeat(MAX + 1)).message, /longer than 5000 characters/);
    assert.match(refusal('{% for i in (1..3000) %}yy{% endfor %}').message, /longer than 5000 characters/);
  });

  it('accepts what depends on the variables, and fails that render alone', () => {
    const source = '{% for a in receiver.l %}{% for b in receiver.l %}{% for c in receiver.l %}.{% endfor %}{% endfor %}{% endfor %}';
    checkTemplate(source, 'message_template.text', MAX);
    const render = compileTemplate(source, MAX);
    assert.equal(render({ receiver: { l: [1, 2] } }), '........');
    const steps = budgetError(() => render({ receiver: { l: Array.from({ length: 100 }, (_, i) => i) } }));
    assert.equal(steps.kind, 'steps');
    assert.equal(render({ receiver: { l: [1] } }), '.', 'the next render starts with a fresh budget');
  });

  it('caps the output of the fast path and of Liquid alike', () => {
    const fast = compileTemplate('Hi {{ receiver.name }}', MAX);
    assert.equal(fast({ receiver: { name: 'Ann' } }), 'Hi Ann');
    assert.equal(budgetError(() => fast({ receiver: { name: 'n'.repeat(MAX) } })).kind, 'output');
    const slow = compileTemplate('{{ receiver.name | upcase }}{{ receiver.name }}', MAX);
    assert.equal(budgetError(() => slow({ receiver: { name: 'n'.repeat(3000) } })).kind, 'output');
    assert.equal(slow({ receiver: { name: 'n'.repeat(2500) } }).length, MAX);
  });

  it('keeps a hostile render to a few milliseconds', () => {
    const render = compileTemplate('{% for a in receiver.l %}{% for b in receiver.l %}{{ a | append: b | upcase }}{% endfor %}{% endfor %}', 1_000_000);
    const l = Array.from({ length: 1000 }, (_, i) => `item-${i}`);
    const started = performance.now();
    // The step budget stops it, or on a busy machine the 50 ms backstop first (10,000 steps of
    // append and upcase took over 50 ms under a load of 4 on 2 cores).
    assert.ok(['steps', 'time'].includes(budgetError(() => render({ receiver: { l } })).kind));
    // Not a timing assertion on the product: only that a budget stopped it long before the
    // 1,000,000 iterations the template asked for (~1 s unbounded on this machine).
    assert.ok(performance.now() - started < 20 * TemplateBudget.timeMs);
  });
});

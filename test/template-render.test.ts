import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, liquid } from '../src/domain/template.js';

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
      const render = compileTemplate(source);
      for (const receiver of people) {
        const vars = { receiver, sender: people[0], channel: { cid: 'messaging:x', type: 'messaging' }, campaign: { name: 'Spring' } };
        assert.equal(render(vars), liquid.parseAndRenderSync(source, vars), `${source} with ${JSON.stringify(receiver)}`);
      }
    }
  });

  it('renders a missing variable as an empty string, without HTML escaping', () => {
    const render = compileTemplate('[{{ receiver.nope }}]{{ receiver.name }}');
    assert.equal(render({ receiver: { name: 'A & <B>' } }), '[]A & <B>');
  });
});

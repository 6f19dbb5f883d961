import fc from 'fast-check';

/**
 * Campaign templates (message_template.text and the like) meant to exhaust the renderer:
 * loops over huge ranges, nested loops, captures that double their text each step, nesting
 * deep enough for a recursive parser, filters that allocate, and files Liquid must not read.
 * Mixed with the variables a real template uses, so that some of them render.
 */

const repeat = (n: number, s: string) => s.repeat(n);

/** `{% capture %}` doubling its text `steps` times: 2^steps characters if nothing stops it. */
const doubling = (steps: number) =>
  `{% assign s = "ab" %}{% for i in (1..${steps}) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}`;

/** Chained captures a0..aN, each holding its predecessor twice. */
const captureChain = (n: number) => {
  let t = '{% capture a0 %}xy{% endcapture %}';
  for (let i = 1; i <= n; i++) t += `{% capture a${i} %}{{ a${i - 1} }}{{ a${i - 1} }}{% endcapture %}`;
  return `${t}{{ a${n} }}`;
};

const hostileFragments = [
  '{% for i in (1..100000000) %}x{% endfor %}',
  '{% for i in (1..9007199254740993) %}{{ i }}{% endfor %}',
  '{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}.{% endfor %}{% endfor %}{% endfor %}',
  '{% for a in (1..300) %}{% for b in (1..300) %}{{ a }}{{ b }}{% endfor %}{% endfor %}',
  '{% tablerow i in (1..100000) %}{{ i }}{% endtablerow %}',
  '{{ (1..10000000) | join: "," }}',
  '{% assign r = (1..5000000) %}{{ r | size }}{{ r | last }}',
  doubling(30),
  doubling(64),
  captureChain(40),
  `${repeat(3000, '{% if true %}')}x${repeat(3000, '{% endif %}')}`,
  `${repeat(2000, '{% capture c %}')}x${repeat(2000, '{% endcapture %}')}`,
  `${repeat(500, '{% for i in (1..2) %}')}.${repeat(500, '{% endfor %}')}`,
  `{{ ${repeat(5000, '(')} }}`,
  `{{ "x"${repeat(3000, ' | append: "xxxxxxxxxx"')} }}`,
  '{{ "x" | times: 1e308 }}{{ 1 | divided_by: 0 }}{{ 9007199254740993 | plus: 1 }}{{ "a" | modulo: 0 }}',
  '{% liquid\nfor i in (1..100000)\necho i\nendfor %}',
  '{% increment c %}{% decrement c %}{% cycle "a", "b" %}',
  "{% include '.env' %}", "{% render 'package.json' %}", "{% layout '/etc/passwd' %}", "{% include '../../../../etc/hostname' %}",
  '{{ receiver | json }}{{ sender | inspect }}{{ receiver.custom | json }}',
  '{{ "now" | date: "%Y-%m-%d %H %s %N %::z" }}{{ 99999999999999999 | date: "%Y" }}',
  '{% raw %}{{ not rendered }}{% endraw %}', '{% comment %}{% for i in (1..1e9) %}{% endcomment %}',
  '{% echo receiver.name | upcase %}', '{{ x | no_such_filter }}', '{% no_such_tag %}', '{% endfor %}', '{{', '%}', '{%', '}}',
  '{{ receiver.__proto__.constructor.constructor("return process")() }}', '{{ this.constructor.constructor }}',
  '{{ "\u0000" }}', '{{ "\ud800" }}', repeat(20_000, 'w'),
];

/**
 * Templates whose cost is in the receiver's data, not in the template: they pass the check at
 * create time (made with empty variables) and are slow only when rendered for a seeded user,
 * whose custom `arr` holds 900 numbers and `n` a large count (fuzz-seed.ts).
 */
const dataDependent = [
  '{% for x in receiver.arr %}{% assign z = receiver.arr | sort %}{% endfor %}',
  '{% for x in receiver.arr %}{{ receiver.arr | sort | join: "" | size }}{% endfor %}',
  '{% for i in (1..receiver.n) %}{% assign b = receiver.arr | sort | first %}{% endfor %}',
  '{% for x in receiver.arr %}{% for y in receiver.arr %}{{ y }}{% endfor %}{% endfor %}',
];

const realFragments = [
  '{{ receiver.name }}', '{{ receiver.id }}', '{{ sender.name | upcase }}', '{{ receiver.custom.tier | default: "gold" }}',
  '{% if receiver.vip %}VIP {% endif %}', 'Hello ', '!', '{{ channel.id }}', '{% for t in receiver.teams %}{{ t }}{% endfor %}',
];

/** A template: one to four fragments, hostile or real. */
export const liquidTemplate: fc.Arbitrary<string> = fc
  .array(fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...hostileFragments) },
    { weight: 2, arbitrary: fc.constantFrom(...dataDependent) },
    { weight: 2, arbitrary: fc.constantFrom(...realFragments) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  ), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join(''));

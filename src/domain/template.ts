import { Liquid } from 'liquidjs';
import { inputError } from './errors.js';

/**
 * One Liquid engine for campaign templates. Liquid cannot call functions or reach
 * prototypes, so templates from API callers are safe to run (DESIGN.md, Templating).
 * A missing variable renders as '' (Jinja's default); unknown filters are parse errors.
 */
export const liquid = new Liquid({
  strictFilters: true,
  strictVariables: false,
  ownPropertyOnly: true,
  // Bounds on rendering: templates are short and sent to thousands of people.
  renderLimit: 100,
  parseLimit: 100_000,
  memoryLimit: 1_000_000,
});

/** Rejects a template that does not parse, naming the field and Liquid's message. */
export function checkTemplate(source: string, field: string): void {
  try {
    liquid.parse(source);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    throw inputError(`${field} is not a valid template: ${detail}`, { [field]: 'template does not parse' });
  }
}

export type TemplateVars = Record<string, unknown>;
export type RenderFn = (vars: TemplateVars) => string;

// `{{ a.b.c }}` with optional spaces and nothing else: the common case of campaign templates.
const SIMPLE_OUTPUT = /\{\{\s*([A-Za-z_][\w]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g;
const ANY_TAG = /\{\{|\{%|\}\}|%\}/;

type Part = string | readonly string[];

/** Walks a dotted path through plain objects only; anything else makes the fast path give up. */
function lookup(vars: TemplateVars, path: readonly string[]): { ok: boolean; text: string } {
  let value: unknown = vars;
  for (const key of path) {
    if (value === null || value === undefined) return { ok: true, text: '' };
    // Arrays and strings have Liquid-only members (size, first, last): leave those to Liquid.
    if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, text: '' };
    value = Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === null || value === undefined) return { ok: true, text: '' };
  if (typeof value === 'string') return { ok: true, text: value };
  if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, text: String(value) };
  return { ok: false, text: '' };
}

/** Splits a template into text and `{{ path }}` parts, or null when it uses anything more. */
function simpleParts(source: string): Part[] | null {
  const parts: Part[] = [];
  let at = 0;
  for (const match of source.matchAll(SIMPLE_OUTPUT)) {
    const text = source.slice(at, match.index);
    if (ANY_TAG.test(text)) return null;
    if (text) parts.push(text);
    parts.push(match[1].split('.'));
    at = match.index + match[0].length;
  }
  const tail = source.slice(at);
  if (ANY_TAG.test(tail)) return null;
  if (tail) parts.push(tail);
  return parts;
}

/**
 * Parses a template once and returns its renderer. Templates that are plain variable
 * substitutions, the common case, render through a direct function: LiquidJS renders ~170k
 * short templates/s on one core, which alone would halve the send loop (DESIGN.md). The fast
 * path renders exactly as Liquid does (test/template-render.test.ts checks it); whenever a
 * value is not a plain string, number or boolean it hands that render to Liquid.
 */
export function compileTemplate(source: string): RenderFn {
  const parsed = liquid.parse(source);
  const slow: RenderFn = (vars) => String(liquid.renderSync(parsed, vars));
  const parts = simpleParts(source);
  if (!parts) return slow;
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => constant;
  }
  return (vars) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      const found = lookup(vars, part as readonly string[]);
      if (!found.ok) return slow(vars);
      out += found.text;
    }
    return out;
  };
}

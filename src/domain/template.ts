import { inputError } from './errors.js';
import { findCause, renderWithinBudget, TemplateBudgetExceeded } from './template-budget.js';
import { createTemplateEngine, TemplateTagRefused } from './template-engine.js';

/** The one Liquid engine of campaign templates: no file system, budgets per render (docs/design.md, Templating). */
export const liquid = createTemplateEngine();

/**
 * Refuses, naming the field, a template that does not parse, that uses a tag that reads files
 * (`include`, `render`, `layout`), or that is over budget whatever the variables: a render
 * with no variables at all already runs too many loop steps, allocates too much or prints
 * more than `maxOutputChars`. Wall time is not judged here, as it depends on the machine.
 */
export function checkTemplate(source: string, field: string, maxOutputChars: number): void {
  let parsed;
  try {
    parsed = liquid.parse(source);
  } catch (error) {
    const refused = findCause(error, TemplateTagRefused);
    if (refused) throw inputError(`${field}: ${refused.message}`, { [field]: refused.message });
    const detail = (error as Error).message.split('\n')[0];
    throw inputError(`${field} is not a valid template: ${detail}`, { [field]: 'template does not parse' });
  }
  try {
    // Counted budgets only: the same verdict on every machine, however busy.
    renderWithinBudget(liquid, parsed, {}, maxOutputChars, false);
  } catch (error) {
    if (error instanceof TemplateBudgetExceeded) {
      throw inputError(`${field} is over the template budget: ${error.message}`, { [field]: `over the ${error.kind} budget` });
    }
    // Other render errors may depend on the variables: they fail single targets at send time.
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
 * Parses a template once and returns its renderer, which throws TemplateBudgetExceeded when a
 * render goes over budget (template-budget.ts) or its output over `maxOutputChars`.
 *
 * Templates that are plain variable substitutions, the common case, render through a direct
 * function: LiquidJS renders ~170k short templates/s on one core, which alone would halve the
 * send loop (docs/design.md). The fast path renders exactly as Liquid does
 * (test/template-render.test.ts checks it); whenever a value is not a plain string, number or
 * boolean it hands that render to Liquid.
 */
export function compileTemplate(source: string, maxOutputChars: number): RenderFn {
  const parsed = liquid.parse(source);
  const render: RenderFn = (vars) => renderWithinBudget(liquid, parsed, vars, maxOutputChars);
  // A GC pause or a busy machine can stretch one render past the time budget: only a second
  // miss in a row fails the target. Steps, memory and output are counted, so they never retry.
  const slow: RenderFn = (vars) => {
    try {
      return render(vars);
    } catch (error) {
      if (error instanceof TemplateBudgetExceeded && error.kind === 'time') return render(vars);
      throw error;
    }
  };
  const tooLong = () =>
    new TemplateBudgetExceeded('output', `the rendered template is longer than ${maxOutputChars} characters`);
  const parts = simpleParts(source);
  if (!parts) return slow;
  if (parts.every((p) => typeof p === 'string')) {
    const constant = parts.join('');
    return () => {
      if (constant.length > maxOutputChars) throw tooLong();
      return constant;
    };
  }
  return (vars) => {
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        out += part;
      } else {
        const found = lookup(vars, part as readonly string[]);
        if (!found.ok) return slow(vars);
        out += found.text;
      }
      if (out.length > maxOutputChars) throw tooLong();
    }
    return out;
  };
}

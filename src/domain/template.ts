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

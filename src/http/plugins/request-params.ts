import type { FastifyInstance } from 'fastify';
import { inputError } from '../../domain/errors.js';
import { isStorableText } from '../../domain/json-input.js';

/**
 * Path parameters and query strings are decoded text from the URL: `%00` becomes a NUL and
 * `%ED%A0%80` a lone surrogate, which PostgreSQL refuses (a 500 before this check). They are
 * refused with 400/4 naming the parameter, before any handler reads them.
 */
export function registerParamChecks(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [source, values] of [
      ['path', request.params],
      ['query', request.query],
    ] as const) {
      if (!values || typeof values !== 'object') continue;
      for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
        const texts = Array.isArray(value) ? value : [value];
        if (!isStorableText(name) || texts.some((t) => typeof t === 'string' && !isStorableText(t))) {
          throw inputError(`the ${source} parameter ${JSON.stringify(name)} holds a NUL character or a lone UTF-16 surrogate`, {
            [name]: 'invalid characters',
          });
        }
      }
    }
  });
}

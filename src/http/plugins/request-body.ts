import type { FastifyInstance } from 'fastify';
import { inputError } from '../../domain/errors.js';
import { checkJsonInput } from '../../domain/json-input.js';

// Inside a filter, null is a value (`{age: null}` matches a missing age), not "absent".
const FILTER_KEYS = new Set(['filter', 'Filter', 'filter_conditions', 'message_filter_conditions']);

// Fields where null is a value: Herald's "no throttle", "no delivery window" (README, Campaign
// controls), and Stream's own clearing of a token revocation (revokeTokens(null) sends it).
const CLEARABLE_KEYS = new Set(['max_messages_per_second', 'delivery_window', 'campaign_max_messages_per_second', 'revoke_tokens_issued_before']);

/**
 * `null` means absent (contract 1.5): drops null-valued keys, recursively, except in filters
 * and in the fields Herald clears with null.
 */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) out[k] = FILTER_KEYS.has(k) ? v : dropNulls(v);
      else if (CLEARABLE_KEYS.has(k)) out[k] = null;
    }
    return out;
  }
  return value;
}

/**
 * SDKs send bodies every which way (contract 1.5): JS `stop` posts an empty form-encoded body,
 * Ruby posts the literal `null`, Java posts nothing. Every content type is read as JSON; an
 * empty, `null` or form-encoded body is "no fields".
 */
export function registerBodyParsing(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = (body as string).trim();
    const type = request.headers['content-type'] ?? '';
    if (text === '' || text === 'null' || type.startsWith('application/x-www-form-urlencoded')) return done(null, {});
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(inputError(`invalid JSON body: ${(error as Error).message}`), undefined);
    }
    if (parsed === null) return done(null, {});
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      return done(inputError('the request body must be a JSON object'), undefined);
    }
    try {
      checkJsonInput(parsed);
    } catch (error) {
      return done(error as Error, undefined);
    }
    done(null, dropNulls(parsed));
  });
}

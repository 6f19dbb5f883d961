import { inputError } from '../domain/errors.js';
import { checkJsonInput } from '../domain/json-input.js';

/** A GET's `payload`: JSON in a query parameter, as the SDKs send it (GET /users, /search). */
export function parsePayload(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) throw inputError('payload is a required query parameter', { payload: 'required' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw inputError('payload must be JSON', { payload: 'invalid JSON' });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw inputError('payload must be a JSON object', { payload: 'invalid' });
  }
  checkJsonInput(parsed, ['payload']);
  return parsed as Record<string, unknown>;
}

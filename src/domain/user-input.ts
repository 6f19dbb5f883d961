import { checkCustomData, type CustomDataLimits } from './custom-data.js';
import { inputError } from './errors.js';
import { checkJsonInput } from './json-input.js';
import { checkUserId, userReservedFields, type UserInput } from './user.js';

/**
 * Reads one user as Stream exports and accepts it: the legacy flat shape, where every key
 * that is not a known field is custom data (`{"id":"u1","name":"Ann","country":"NL"}`), or
 * the v2 shape with a nested `custom` object. Both may be mixed; a nested key wins over a
 * flat one, as on the HTTP upsert.
 *
 * `null` for role, teams, language or invisible means "not given" (exports write nulls);
 * fields the server owns (created_at, banned, online, …) are ignored, as the upsert ignores
 * them. A known field of the wrong type throws an input error naming it.
 */
export function userInputFromJson(value: unknown, limits: CustomDataLimits): UserInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError('a user must be a JSON object');
  }
  checkJsonInput(value);
  const fields = value as Record<string, unknown>;
  const input: UserInput = { id: checkUserId(fields.id), custom: {} };
  // One pass over the keys: this runs a million times per bulk import.
  for (const key in fields) {
    const field = fields[key];
    switch (key) {
      case 'name':
      case 'image':
        if (field !== null && typeof field !== 'string') throw wrongType(key, 'a string');
        input[key] = field;
        break;
      case 'role':
        if (field === null) break;
        if (typeof field !== 'string' || field === '') throw wrongType(key, 'a non-empty string');
        input.role = field;
        break;
      case 'language':
        if (field === null) break;
        if (typeof field !== 'string') throw wrongType(key, 'a string');
        input.language = field;
        break;
      case 'teams':
        if (field === null) break;
        if (!Array.isArray(field) || !field.every((team) => typeof team === 'string')) {
          throw wrongType(key, 'a list of strings');
        }
        input.teams = field as string[];
        break;
      case 'invisible':
        if (field === null) break;
        if (typeof field !== 'boolean') throw wrongType(key, 'true or false');
        input.invisible = field;
        break;
      case 'custom':
        if (field === null) break;
        if (typeof field !== 'object' || Array.isArray(field)) throw wrongType(key, 'an object');
        break;
      default:
        if (!userReservedFields.has(key)) input.custom[key] = field;
    }
  }
  if (fields.custom) Object.assign(input.custom, fields.custom);
  checkCustomData(input.custom, input.id, limits);
  return input;
}

const wrongType = (field: string, expected: string) =>
  inputError(`${field} must be ${expected}`, { [field]: 'wrong type' });

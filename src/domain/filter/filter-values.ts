import { parseTime } from '../time.js';
import { FieldKind, type Scalar } from './filter-ast.js';
import { filterFieldError } from './filter-errors.js';

/** The value one kind of field compares with, in words, for error messages. */
const expected: Record<FieldKind, string> = {
  [FieldKind.string]: 'a string',
  [FieldKind.number]: 'a number',
  [FieldKind.time]: 'an RFC 3339 time or an integer of Unix nanoseconds',
  [FieldKind.boolean]: 'a boolean',
  [FieldKind.stringArray]: 'a string',
  [FieldKind.custom]: 'a string, number or boolean',
  [FieldKind.members]: 'a user id string',
  [FieldKind.membership]: 'a boolean',
};

export interface ScalarRules {
  /** `null` matches a missing field or a JSON null (Mongo); only equality operators take it. */
  readonly allowNull: boolean;
}

/**
 * One value for a field of `kind`, checked and normalised: times become micros so SQL
 * compares integers; booleans stay booleans (the compiler maps them to the 0/1 columns).
 */
export function parseScalar(kind: FieldKind, field: string, op: string, raw: unknown, rules: ScalarRules): Scalar {
  if (raw === null) {
    if (rules.allowNull && kind !== FieldKind.members && kind !== FieldKind.membership) return null;
    throw filterFieldError(field, op, `needs ${expected[kind]}, not null`);
  }
  switch (kind) {
    case FieldKind.string:
    case FieldKind.stringArray:
    case FieldKind.members:
      if (typeof raw === 'string') return raw;
      break;
    case FieldKind.number:
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      break;
    case FieldKind.boolean:
    case FieldKind.membership:
      if (typeof raw === 'boolean') return raw;
      break;
    case FieldKind.time:
      if (typeof raw === 'string' || typeof raw === 'number') {
        // Outside ±2^53 micros (year ±287,000) the bigint columns could not hold the value.
        const micros = tryParseTime(raw, field);
        if (micros !== null && Number.isSafeInteger(micros)) return micros;
      }
      break;
    case FieldKind.custom:
      if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
      break;
  }
  throw filterFieldError(field, op, `needs ${expected[kind]}, got ${describe(raw)}`);
}

/** An ordered value: Mongo's range operators make no sense on null, and custom booleans are not ranged. */
export function parseRangeValue(kind: FieldKind, field: string, op: string, raw: unknown): string | number | boolean {
  if (kind === FieldKind.custom && typeof raw !== 'string' && typeof raw !== 'number') {
    throw filterFieldError(field, op, `needs a string or a number, got ${describe(raw)}`);
  }
  return parseScalar(kind, field, op, raw, { allowNull: false }) as string | number | boolean;
}

function describe(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'string') return `the string ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}...` : raw)}`;
  return typeof raw === 'object' ? 'an object' : `${typeof raw} ${String(raw)}`;
}

function tryParseTime(raw: string | number, field: string): number | null {
  try {
    return parseTime(raw, field);
  } catch {
    return null;
  }
}

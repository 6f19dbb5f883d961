import { inputError } from '../errors.js';
import type { FieldKind } from './filter-ast.js';
import { checkFieldName, lookupField, sortableKinds, type FilterFieldSpec } from './filter-field-spec.js';

export interface SortField {
  readonly field: string;
  readonly fieldKind: FieldKind;
  /** 1 ascending, -1 descending, as on Stream's wire. */
  readonly direction: 1 | -1;
}

/** Sort keys in priority order; storage appends the primary key so pages are stable. */
export type SortSpec = readonly SortField[];

/** Stream's limit on sort fields per query. */
export const maxSortFields = 5;

const sortError = (field: string, problem: string) =>
  inputError(`invalid sort: field ${JSON.stringify(field)} ${problem}`, { [field]: problem });

/**
 * Parses Stream's sort: `[{field, direction}]` (legacy and v2 both send this) or the
 * `{field: direction}` object form. A missing sort is no sort: the caller picks its default.
 * A missing direction is ascending.
 */
export function parseSort(input: unknown, fields: FilterFieldSpec): SortSpec {
  if (input === undefined || input === null) return [];
  const entries = toEntries(input);
  if (entries.length > maxSortFields) {
    throw inputError(`invalid sort: at most ${maxSortFields} fields, got ${entries.length}`, { sort: 'too many fields' });
  }
  const seen = new Set<string>();
  return Object.freeze(
    entries.map(([field, direction]) => {
      if (typeof field !== 'string') throw inputError('invalid sort: every entry needs a "field" string', { sort: 'no field' });
      if (seen.has(field)) throw sortError(field, 'appears more than once');
      seen.add(field);
      return Object.freeze({ field, fieldKind: sortableKind(field, fields), direction: parseDirection(field, direction) });
    }),
  );
}

function toEntries(input: unknown): Array<[unknown, unknown]> {
  if (Array.isArray(input)) {
    return input.map((item) => {
      if (typeof item !== 'object' || item === null) {
        throw inputError('invalid sort: entries must be {"field": name, "direction": 1 | -1}', { sort: 'bad entry' });
      }
      const { field, direction } = item as Record<string, unknown>;
      return [field, direction];
    });
  }
  if (typeof input === 'object') return Object.entries(input as Record<string, unknown>);
  throw inputError('invalid sort: must be an array of {"field", "direction"} or an object', { sort: 'bad shape' });
}

function sortableKind(field: string, fields: FilterFieldSpec): FieldKind {
  try {
    checkFieldName(field);
  } catch {
    throw sortError(field, 'is not a valid field name');
  }
  const found = lookupField(fields, field);
  if (!found.found) throw sortError(field, found.reason);
  if (!sortableKinds.has(found.rule.kind)) throw sortError(field, 'cannot be sorted on');
  return found.rule.kind;
}

function parseDirection(field: string, direction: unknown): 1 | -1 {
  if (direction === undefined || direction === 1) return 1;
  if (direction === -1) return -1;
  throw sortError(field, `has direction ${JSON.stringify(direction)}: use 1 or -1`);
}

import { FieldKind, type FilterOp } from './filter-ast.js';
import { unsupportedFieldError } from './filter-errors.js';

/** What one field allows: its storage kind and the operators Stream accepts on it. */
export interface FieldRule {
  readonly kind: FieldKind;
  readonly ops: readonly FilterOp[];
}

/**
 * The filterable fields of one resource, as data (the contract's per-field operator tables,
 * section 8), so the parser stays generic and a table change is a one-line edit.
 */
export interface FilterFieldSpec {
  /** Names the resource in error messages. */
  readonly resource: string;
  readonly fields: Readonly<Record<string, FieldRule>>;
  /** Names that are not built in are custom data with this rule; null rejects them. */
  readonly custom: FieldRule | null;
  /** Names that look like fields but cannot be filtered on here, with the reason. */
  readonly unsupported: Readonly<Record<string, string>>;
}

/** Stream's operators for "any custom field" (contract section 8, widened to $ne/$nin as Mongo has them). */
export const customFieldOps: readonly FilterOp[] = [
  '$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$contains', '$autocomplete',
];

export const comparableOps: readonly FilterOp[] = ['$eq', '$in', '$gt', '$gte', '$lt', '$lte', '$exists'];

/** Kinds whose values have an order, so they can be sorted on. */
export const sortableKinds: ReadonlySet<FieldKind> = new Set([
  FieldKind.string, FieldKind.number, FieldKind.time, FieldKind.boolean, FieldKind.custom,
]);

export type FieldLookup =
  | { readonly found: true; readonly rule: FieldRule }
  | { readonly found: false; readonly reason: string };

/** Built-in rule, else the custom rule, else why the field is not allowed. */
export function lookupField(spec: FilterFieldSpec, field: string): FieldLookup {
  // Object.hasOwn: "constructor" or "__proto__" are custom field names, not prototype members.
  if (Object.hasOwn(spec.unsupported, field)) return { found: false, reason: spec.unsupported[field] };
  if (Object.hasOwn(spec.fields, field)) return { found: true, rule: spec.fields[field] };
  if (spec.custom) return { found: true, rule: spec.custom };
  return { found: false, reason: `is not a ${spec.resource} field` };
}

// Custom data is addressed by one JSON key: a dot would mean a nested path in Mongo, which the
// compiler does not implement.
export function checkFieldName(field: string): void {
  if (field.length === 0 || field.length > 255) throw unsupportedFieldError(field, 'must be 1 to 255 characters');
  if (field.includes('.')) throw unsupportedFieldError(field, 'is a nested path, which is not supported');
}

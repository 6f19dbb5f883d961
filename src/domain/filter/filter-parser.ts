import {
  FieldKind,
  FilterOp,
  and,
  compare,
  filterOps,
  isRangeOp,
  nor,
  or,
  type ComparisonNode,
  type FilterNode,
  type Scalar,
} from './filter-ast.js';
import { filterFieldError, filterShapeError, unsupportedFieldError, unsupportedOperatorError } from './filter-errors.js';
import { checkFieldName, lookupField, type FieldRule, type FilterFieldSpec } from './filter-field-spec.js';
import { parseRangeValue, parseScalar } from './filter-values.js';

/**
 * Bounds on one filter. SQLite binds at most 32,766 parameters per statement and every leaf
 * becomes SQL that the planner must cost, so a filter is capped well below both.
 */
export interface FilterLimits {
  /** Nesting of documents: `{}` is 1, each `$and`/`$or`/`$nor` adds one. */
  readonly maxDepth: number;
  /** Logical and comparison nodes in all. */
  readonly maxNodes: number;
  /** Values in one `$in`/`$nin`/array `$eq`. */
  readonly maxListValues: number;
  /** Values in the whole filter. */
  readonly maxValues: number;
}

/** Words in one `$q` query. */
export const MAX_QUERY_WORDS = 32;

export const defaultFilterLimits: FilterLimits = { maxDepth: 10, maxNodes: 1000, maxListValues: 1000, maxValues: 5000 };

const logicalOps: Record<string, (children: readonly FilterNode[]) => FilterNode> = { $and: and, $or: or, $nor: nor };

interface ParseContext {
  readonly spec: FilterFieldSpec;
  readonly limits: FilterLimits;
  nodes: number;
  values: number;
}

/**
 * Parses Stream's Mongo-style filter JSON into the AST. Pure: no I/O, and the same input always
 * gives the same tree or the same error. `{}` matches everything; a missing filter is the
 * caller's decision (a segment without one must not silently target every user).
 */
export function parseFilter(input: unknown, fields: FilterFieldSpec, limits = defaultFilterLimits): FilterNode {
  if (!isPlainObject(input)) throw filterShapeError('the filter must be a JSON object');
  return parseDocument(input, { spec: fields, limits, nodes: 0, values: 0 }, 1);
}

/** One `{...}`: every key is a condition, all of which must hold (Mongo's implicit AND). */
function parseDocument(doc: Record<string, unknown>, ctx: ParseContext, depth: number): FilterNode {
  if (depth > ctx.limits.maxDepth) throw filterShapeError(`nested deeper than ${ctx.limits.maxDepth} levels`);
  const parts: FilterNode[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (Object.hasOwn(logicalOps, key)) parts.push(parseLogical(key, value, ctx, depth));
    else if (key.startsWith('$')) throw topLevelOperatorError(key);
    else parts.push(...parseField(key, value, ctx));
  }
  return parts.length === 1 ? parts[0] : countNode(ctx, and(parts));
}

function parseLogical(key: string, value: unknown, ctx: ParseContext, depth: number): FilterNode {
  if (!Array.isArray(value) || value.length === 0) {
    throw filterShapeError(`operator ${JSON.stringify(key)} needs a non-empty array of filters`);
  }
  const children = value.map((child) => {
    if (!isPlainObject(child)) throw filterShapeError(`every filter in ${JSON.stringify(key)} must be a JSON object`);
    return parseDocument(child, ctx, depth + 1);
  });
  return countNode(ctx, logicalOps[key](children));
}

/** `{field: value}` is `$eq`; `{field: {$op: v, $op2: w}}` is one leaf per operator, ANDed. */
function parseField(field: string, value: unknown, ctx: ParseContext): ComparisonNode[] {
  checkFieldName(field);
  const found = lookupField(ctx.spec, field);
  if (!found.found) throw unsupportedFieldError(field, found.reason);
  if (!isPlainObject(value)) return [parseLeaf(field, found.rule, FilterOp.eq, value, ctx)];
  const entries = Object.entries(value);
  // Mongo reads an object without operators as equality with that object: not supported here.
  if (!entries.some(([op]) => op.startsWith('$'))) {
    throw filterFieldError(field, FilterOp.eq, 'needs a value, not an object (operators start with "$")');
  }
  return entries.map(([op, operand]) => {
    if (!op.startsWith('$')) throw filterFieldError(field, op, 'is not a known operator');
    return parseLeaf(field, found.rule, op, operand, ctx);
  });
}

function parseLeaf(field: string, rule: FieldRule, op: string, raw: unknown, ctx: ParseContext): ComparisonNode {
  if (op === FilterOp.q && !rule.ops.includes(FilterOp.q)) throw unsupportedOperatorError(field, op, ' (full-text search is not supported)');
  if (!(filterOps as readonly string[]).includes(op)) {
    throw filterFieldError(field, op, 'is not a known operator');
  }
  const filterOp = op as FilterOp;
  if (!rule.ops.includes(filterOp)) throw unsupportedOperatorError(field, op);
  const value = parseOperand(field, rule.kind, filterOp, raw, ctx);
  return countNode(ctx, compare(field, rule.kind, filterOp, value as never));
}

function parseOperand(field: string, kind: FieldKind, op: FilterOp, raw: unknown, ctx: ParseContext): unknown {
  if (isRangeOp(op)) return countValues(ctx, parseRangeValue(kind, field, op, raw), 1);
  switch (op) {
    case FilterOp.exists:
      if (typeof raw !== 'boolean') throw filterFieldError(field, op, 'needs true or false');
      return raw;
    case FilterOp.in:
    case FilterOp.nin:
      if (!Array.isArray(raw)) throw filterFieldError(field, op, 'needs an array of values');
      return parseList(field, kind, op, raw, ctx);
    case FilterOp.eq:
    case FilterOp.ne:
      return parseEquality(field, kind, op, raw, ctx);
    case FilterOp.contains:
      if (kind === FieldKind.custom && (raw === null || typeof raw === 'object')) {
        throw filterFieldError(field, op, 'needs a string, number or boolean');
      }
      return countValues(ctx, parseScalar(kind, field, op, raw, { allowNull: false }), 1);
    case FilterOp.autocomplete:
      if (typeof raw !== 'string') throw filterFieldError(field, op, 'needs a string');
      return countValues(ctx, raw, 1);
    case FilterOp.q: {
      if (typeof raw !== 'string' || raw.trim() === '') throw filterFieldError(field, op, 'needs a non-empty string');
      // Each word is one LIKE: a bound keeps the statement small (SQLite caps expression depth at 1000).
      const words = raw.trim().split(/\s+/).length;
      if (words > MAX_QUERY_WORDS) throw filterFieldError(field, op, `has ${words} words, more than the ${MAX_QUERY_WORDS} allowed`);
      return countValues(ctx, raw, words);
    }
  }
  throw filterFieldError(field, op, 'is not a known operator');
}

/** Arrays are only values where the field holds arrays: a member set, teams or custom data. */
function parseEquality(field: string, kind: FieldKind, op: FilterOp, raw: unknown, ctx: ParseContext): unknown {
  const arraysAllowed = kind === FieldKind.members || kind === FieldKind.stringArray || kind === FieldKind.custom;
  if (Array.isArray(raw)) {
    if (!arraysAllowed) throw filterFieldError(field, op, 'needs a single value, not an array');
    return parseList(field, kind, op, raw, ctx);
  }
  if (kind === FieldKind.members) throw filterFieldError(field, op, 'needs an array of user ids (the exact member set)');
  return countValues(ctx, parseScalar(kind, field, op, raw, { allowNull: true }), 1);
}

function parseList(field: string, kind: FieldKind, op: FilterOp, raw: unknown[], ctx: ParseContext): Scalar[] {
  if (raw.length > ctx.limits.maxListValues) {
    throw filterFieldError(field, op, `has ${raw.length} values, more than the ${ctx.limits.maxListValues} allowed`);
  }
  const values = raw.map((item) => parseScalar(kind, field, op, item, { allowNull: true }));
  return countValues(ctx, values, values.length);
}

// The limits are checked while the tree is built, so a huge filter fails before it is all parsed.
function countNode<T>(ctx: ParseContext, node: T): T {
  if (++ctx.nodes > ctx.limits.maxNodes) throw filterShapeError(`more than ${ctx.limits.maxNodes} conditions`);
  return node;
}

function countValues<T>(ctx: ParseContext, value: T, count: number): T {
  ctx.values += count;
  if (ctx.values > ctx.limits.maxValues) throw filterShapeError(`more than ${ctx.limits.maxValues} values in all`);
  return value;
}

function topLevelOperatorError(key: string) {
  if (key === '$q') return filterShapeError('operator "$q" (full-text search) is not supported');
  return filterShapeError(`unknown top-level operator ${JSON.stringify(key)}: use $and, $or, $nor or a field name`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

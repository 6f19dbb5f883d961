/**
 * The parsed form of Stream's Mongo-style filters. Immutable, and free of SQL: the parser
 * (filter-parser.ts) builds it from JSON, storage/filter-compiler.ts turns it into Kysely
 * expressions. Values are already normalised: times are micros, booleans stay booleans.
 */

export const FilterOp = {
  eq: '$eq',
  ne: '$ne',
  gt: '$gt',
  gte: '$gte',
  lt: '$lt',
  lte: '$lte',
  in: '$in',
  nin: '$nin',
  exists: '$exists',
  contains: '$contains',
  autocomplete: '$autocomplete',
  /** Full-text search, on message text only (every word of the query appears in the text). */
  q: '$q',
} as const;
export type FilterOp = (typeof FilterOp)[keyof typeof FilterOp];
export const filterOps: readonly FilterOp[] = Object.values(FilterOp);

export type RangeOp = typeof FilterOp.gt | typeof FilterOp.gte | typeof FilterOp.lt | typeof FilterOp.lte;
export const rangeOps: readonly FilterOp[] = [FilterOp.gt, FilterOp.gte, FilterOp.lt, FilterOp.lte];

/**
 * How a field is stored, which decides both the values the parser accepts and the SQL the
 * compiler writes. `custom` lives in the JSON `custom` column (type unknown until run time);
 * `members` is the channel's member set; `membership` is a flag of the querying user's own
 * membership (`joined`, `hidden`).
 */
export const FieldKind = {
  string: 'string',
  number: 'number',
  time: 'time',
  boolean: 'boolean',
  stringArray: 'string-array',
  custom: 'custom',
  members: 'members',
  membership: 'membership',
} as const;
export type FieldKind = (typeof FieldKind)[keyof typeof FieldKind];

export type Scalar = string | number | boolean | null;

interface Leaf<Op extends FilterOp, V> {
  readonly kind: 'compare';
  readonly field: string;
  readonly fieldKind: FieldKind;
  readonly op: Op;
  readonly value: V;
}

/** `$eq`/`$ne` with an array compare the whole array (exact order), as Mongo does. */
export type EqualityNode = Leaf<typeof FilterOp.eq | typeof FilterOp.ne, Scalar | readonly Scalar[]>;
export type InNode = Leaf<typeof FilterOp.in | typeof FilterOp.nin, readonly Scalar[]>;
export type RangeNode = Leaf<RangeOp, string | number | boolean>;
export type ExistsNode = Leaf<typeof FilterOp.exists, boolean>;
export type ContainsNode = Leaf<typeof FilterOp.contains, string | number | boolean>;
export type AutocompleteNode = Leaf<typeof FilterOp.autocomplete, string>;
export type QueryNode = Leaf<typeof FilterOp.q, string>;

export type ComparisonNode = EqualityNode | InNode | RangeNode | ExistsNode | ContainsNode | AutocompleteNode | QueryNode;

export interface LogicalNode {
  readonly kind: 'and' | 'or' | 'nor';
  readonly children: readonly FilterNode[];
}

export type FilterNode = LogicalNode | ComparisonNode;

export const and = (children: readonly FilterNode[]): LogicalNode =>
  Object.freeze({ kind: 'and', children: Object.freeze([...children]) });
export const or = (children: readonly FilterNode[]): LogicalNode =>
  Object.freeze({ kind: 'or', children: Object.freeze([...children]) });
export const nor = (children: readonly FilterNode[]): LogicalNode =>
  Object.freeze({ kind: 'nor', children: Object.freeze([...children]) });

/** `{}`: the empty conjunction, true for every row. */
export const matchAll: LogicalNode = and([]);

export function compare<N extends ComparisonNode>(
  field: string,
  fieldKind: FieldKind,
  op: N['op'],
  value: N['value'],
): N {
  const frozen = Array.isArray(value) ? Object.freeze([...value]) : value;
  return Object.freeze({ kind: 'compare', field, fieldKind, op, value: frozen }) as N;
}

export const isRangeOp = (op: FilterOp): op is RangeOp => rangeOps.includes(op);

import type { FieldKind, FilterOp } from '../../src/domain/filter/filter-ast.js';
import { lookupField, type FilterFieldSpec } from '../../src/domain/filter/filter-field-spec.js';
import { formatRfc3339 } from '../../src/domain/time.js';
import { memberSetKey, randomTime, words, type Doc, type Rng } from './filter-fixtures.js';

/**
 * Random filters for the differential test, each produced twice: as the JSON a client sends
 * (times as RFC 3339 or nanoseconds) and as an equivalent mingo query over the fixture docs
 * (times as micros; `$autocomplete`, `$contains`, `members`, `joined`, `hidden` rewritten into
 * what mingo has). Built side by side, so the parser is under test too.
 */
export interface GeneratedFilter {
  readonly json: Record<string, unknown>;
  readonly mingo: Record<string, unknown>;
}

interface FieldGen {
  readonly field: string;
  readonly kind: FieldKind;
  readonly ops: readonly FilterOp[];
  /** Scalars seen in the data (array elements included), so that equality finds rows. */
  readonly scalars: readonly unknown[];
  /** Whole arrays seen in the data, for `$eq` with an array. */
  readonly arrays: readonly unknown[][];
}

export class FilterGenerator {
  private readonly fields: FieldGen[];

  constructor(
    private readonly rng: Rng,
    spec: FilterFieldSpec,
    docs: readonly Doc[],
    fieldNames: readonly string[],
    private readonly extraIds: readonly string[] = [],
  ) {
    this.fields = fieldNames.map((field) => {
      const found = lookupField(spec, field);
      if (!found.found) throw new Error(`generator field ${field} is not filterable`);
      const seen = docs.map((d) => d[field]).filter((v) => v !== undefined);
      return {
        field,
        kind: found.rule.kind,
        ops: found.rule.ops,
        scalars: seen.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v === null || typeof v !== 'object'),
        arrays: seen.filter((v): v is unknown[] => Array.isArray(v)),
      };
    });
  }

  filter(depth = 3): GeneratedFilter {
    return this.document(depth);
  }

  private document(depth: number): GeneratedFilter {
    const { rng } = this;
    if (depth > 0 && rng.chance(0.3)) return this.logical(depth);
    const json: Record<string, unknown> = {};
    const mingo: Doc[] = [];
    // Mostly one or two fields: every extra conjunct makes an empty result likelier.
    const groups = rng.chance(0.04) ? 0 : rng.chance(0.65) ? 1 : rng.chance(0.8) ? 2 : 3;
    for (const gen of rng.some(this.fields, groups)) {
      const group = this.fieldGroup(gen);
      json[gen.field] = group.json;
      mingo.push(...group.mingo);
    }
    if (depth > 0 && rng.chance(0.15)) {
      const extra = this.logical(depth);
      Object.assign(json, extra.json);
      mingo.push(extra.mingo);
    }
    return { json, mingo: mingo.length === 0 ? {} : mingo.length === 1 ? mingo[0] : { $and: mingo } };
  }

  private logical(depth: number): GeneratedFilter {
    const op = this.rng.pick(['$and', '$or', '$nor']);
    const children = Array.from({ length: 1 + this.rng.int(this.rng.chance(0.7) ? 2 : 3) }, () => this.document(depth - 1));
    return { json: { [op]: children.map((c) => c.json) }, mingo: { [op]: children.map((c) => c.mingo) } };
  }

  /** One field with one or two operators; a lone `$eq` is sometimes written as `{field: value}`. */
  private fieldGroup(gen: FieldGen): { json: unknown; mingo: Doc[] } {
    const ops = this.rng.chance(0.8) ? [this.rng.pick(gen.ops)] : this.rng.some(gen.ops, 2);
    if (ops.length === 0) ops.push(gen.ops[0]);
    const leaves = ops.map((op) => ({ op, ...this.operand(gen, op) }));
    const mingo = leaves.map((l) => mingoLeaf(gen, l.op, l.mingo));
    if (leaves.length === 1 && leaves[0].op === '$eq' && this.rng.chance(0.5)) return { json: leaves[0].json, mingo };
    return { json: Object.fromEntries(leaves.map((l) => [l.op, l.json])), mingo };
  }

  private operand(gen: FieldGen, op: FilterOp): { json: unknown; mingo: unknown } {
    const { rng } = this;
    switch (op) {
      case '$exists':
        return same(rng.chance(0.5));
      case '$autocomplete':
        return same(this.prefix());
      case '$in':
      case '$nin': {
        const values = Array.from({ length: rng.int(5) }, () => this.scalar(gen, true));
        return { json: values.map((v) => v.json), mingo: values.map((v) => v.mingo) };
      }
      case '$eq':
      case '$ne':
        if (gen.kind === 'members' || (gen.arrays.length && rng.chance(0.3))) return same(this.array(gen));
        return this.scalar(gen, true);
      case '$contains':
        return this.scalar(gen, false);
      default:
        return this.scalar(gen, false, true);
    }
  }

  private scalar(gen: FieldGen, allowNull: boolean, ranged = false): { json: unknown; mingo: unknown } {
    const { rng } = this;
    if (allowNull && gen.kind !== 'members' && gen.kind !== 'membership' && rng.chance(0.08)) return same(null);
    if (gen.kind === 'boolean' || gen.kind === 'membership') return same(rng.chance(0.5));
    if (gen.kind === 'time') {
      const micros = gen.scalars.length && rng.chance(0.6) ? (rng.pick(gen.scalars) as number) : randomTime(rng);
      return { json: timeJson(rng, micros), mingo: micros };
    }
    if (gen.kind === 'members') return same(rng.pick([...(gen.scalars as string[]), ...this.extraIds]));
    let candidates = gen.scalars.filter((v) => v !== null);
    // Custom data: sometimes another JSON type than the field holds, to test Mongo's type brackets.
    if (gen.kind === 'custom' && (candidates.length === 0 || rng.chance(0.15))) {
      candidates = [rng.int(60) - 10, rng.pick(words), rng.chance(0.5)];
    } else if (rng.chance(0.1)) {
      candidates = typeof candidates[0] === 'number' ? [rng.int(100) - 20] : [rng.pick(words)];
    }
    if (ranged || gen.kind === 'string-array') candidates = candidates.filter((v) => typeof v !== 'boolean');
    if (candidates.length === 0) candidates = [rng.pick(words)];
    return same(rng.pick(candidates));
  }

  /** A member set or array seen in the data (sometimes reordered), or a random one. */
  private array(gen: FieldGen): unknown[] {
    const { rng } = this;
    if (gen.arrays.length && rng.chance(0.7)) {
      const seen = [...rng.pick(gen.arrays)];
      return rng.chance(0.3) ? seen.reverse() : seen;
    }
    const pool = [...new Set([...gen.scalars.filter((v) => v !== null), ...this.extraIds])];
    return rng.some(pool, 3);
  }

  /** A word prefix in random case; '50%' and 'a_b' in the word list test LIKE escaping. */
  private prefix(): string {
    const word = this.rng.pick(words);
    const cut = word.slice(0, 1 + this.rng.int(word.length));
    return this.rng.chance(0.5) ? cut.toUpperCase() : cut.toLowerCase();
  }
}

const same = (value: unknown) => ({ json: value, mingo: value });

/** One leaf as mingo sees it; `$autocomplete` and the member fields have no mingo operator. */
function mingoLeaf(gen: FieldGen, op: FilterOp, value: unknown): Doc {
  if (op === '$autocomplete') {
    const escaped = String(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { [gen.field]: { $regex: new RegExp(`(^| )${escaped}`, 'i') } };
  }
  if (op === '$contains') return { [gen.field]: { $elemMatch: { $eq: value } } };
  if (gen.kind === 'members' && op === '$eq') return { __member_set: memberSetKey(value as string[]) };
  if (gen.kind === 'membership') return { [`__${gen.field}`]: value };
  return { [gen.field]: { [op]: value } };
}

/** The same instant in the three encodings parseTime accepts. */
function timeJson(rng: Rng, micros: number): string {
  const choice = rng.int(3);
  if (choice === 0) return formatRfc3339(micros);
  if (choice === 1) return `${micros}000`; // Unix nanoseconds, as the v2 wire sends
  const shifted = formatRfc3339(micros + 2 * 3600 * 1_000_000);
  return `${shifted.slice(0, -1)}+02:00`;
}

import { FieldKind } from './filter-ast.js';
import { comparableOps, type FilterFieldSpec } from './filter-field-spec.js';

/**
 * queryReactions filter fields (the spec's QueryReactionsRequest.filter): whose, which type,
 * and when. Sorting is by created_at only, as on Stream.
 */
export const reactionFilterFields: FilterFieldSpec = {
  resource: 'reaction',
  fields: {
    user_id: { kind: FieldKind.string, ops: ['$eq', '$in'] },
    type: { kind: FieldKind.string, ops: ['$eq', '$in'] },
    created_at: { kind: FieldKind.time, ops: comparableOps },
  },
  custom: null,
  unsupported: {},
};

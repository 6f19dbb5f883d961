import { FieldKind } from './filter-ast.js';
import { comparableOps, type FilterFieldSpec } from './filter-field-spec.js';

/** Segment query filter fields (contract 3.3). */
export const segmentFilterFields: FilterFieldSpec = {
  resource: 'segment',
  fields: {
    id: { kind: FieldKind.string, ops: comparableOps },
    name: { kind: FieldKind.string, ops: comparableOps },
    all_users: { kind: FieldKind.boolean, ops: comparableOps },
    created_at: { kind: FieldKind.time, ops: comparableOps },
    updated_at: { kind: FieldKind.time, ops: comparableOps },
    type: { kind: FieldKind.string, ops: ['$eq', '$in', '$exists'] },
  },
  custom: null,
  unsupported: {},
};

/** Segment targets query filter (contract 3.3): target ids only. */
export const segmentTargetFilterFields: FilterFieldSpec = {
  resource: 'segment target',
  fields: {
    target_id: { kind: FieldKind.string, ops: ['$eq', '$in', '$gt', '$gte', '$lt', '$lte'] },
  },
  custom: null,
  unsupported: {},
};

import { FieldKind } from './filter-ast.js';
import { comparableOps, type FilterFieldSpec } from './filter-field-spec.js';

/** Campaign query filter fields (contract 2.4). `segments` matches the campaign's segment ids. */
export const campaignFilterFields: FilterFieldSpec = {
  resource: 'campaign',
  fields: {
    id: { kind: FieldKind.string, ops: comparableOps },
    name: { kind: FieldKind.string, ops: comparableOps },
    sender_id: { kind: FieldKind.string, ops: comparableOps },
    status: { kind: FieldKind.string, ops: comparableOps },
    created_at: { kind: FieldKind.time, ops: comparableOps },
    updated_at: { kind: FieldKind.time, ops: comparableOps },
    segments: { kind: FieldKind.stringArray, ops: ['$eq', '$in', '$contains'] },
  },
  custom: null,
  unsupported: {},
};

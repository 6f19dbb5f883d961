import { FieldKind } from './filter-ast.js';
import { comparableOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, time } = FieldKind;

/**
 * queryBannedUsers filter fields (stream-chat's BannedUsersFilterOptions): who is banned, by
 * whom, where, why and when. Bans carry no custom data.
 */
export const banFilterFields: FilterFieldSpec = {
  resource: 'ban',
  fields: {
    user_id: { kind: string, ops: ['$eq', '$in'] },
    banned_by_id: { kind: string, ops: ['$eq', '$in'] },
    channel_cid: { kind: string, ops: ['$eq', '$in'] },
    reason: { kind: string, ops: ['$eq', '$in', '$autocomplete'] },
    created_at: { kind: time, ops: comparableOps },
  },
  custom: null,
  unsupported: {},
};

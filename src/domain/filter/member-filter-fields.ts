import { FieldKind } from './filter-ast.js';
import { customFieldOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, time, boolean, custom } = FieldKind;
const notFilterable = 'cannot be used in a member filter';
const timeOps = ['$eq', '$gt', '$gte', '$lt', '$lte'] as const;

/**
 * Query members (`GET /members`): Stream's member filter fields. `name` and `last_active` are
 * the member's user's; `invite` is pending, accepted, rejected or member (never invited);
 * `joined` is false for a pending or rejected invite; any other name is the membership's own
 * custom data (a partial member update's `set`).
 */
export const memberFilterFields: FilterFieldSpec = {
  resource: 'member',
  fields: {
    id: { kind: string, ops: ['$eq', '$in'] },
    user_id: { kind: string, ops: ['$eq', '$in', '$ne', '$nin'] },
    name: { kind: string, ops: ['$eq', '$in', '$autocomplete', '$exists'] },
    channel_role: { kind: string, ops: ['$eq', '$in', '$ne'] },
    banned: { kind: boolean, ops: ['$eq'] },
    shadow_banned: { kind: boolean, ops: ['$eq'] },
    notifications_muted: { kind: boolean, ops: ['$eq'] },
    is_moderator: { kind: boolean, ops: ['$eq'] },
    invite: { kind: string, ops: ['$eq', '$in'] },
    joined: { kind: boolean, ops: ['$eq'] },
    archived: { kind: boolean, ops: ['$eq'] },
    pinned: { kind: boolean, ops: ['$eq'] },
    created_at: { kind: time, ops: timeOps },
    updated_at: { kind: time, ops: timeOps },
    last_active: { kind: time, ops: [...timeOps, '$exists'] },
  },
  custom: { kind: custom, ops: customFieldOps },
  unsupported: {
    cid: 'is not supported: the query names its channel (type and id)',
    ...Object.fromEntries(
      ['custom', 'user', 'role', 'status', 'invited', 'archived_at', 'pinned_at', 'deleted_at', 'ban_expires', 'channel', 'hidden'].map((name) => [
        name,
        notFilterable,
      ]),
    ),
  },
};

import { FieldKind } from './filter-ast.js';
import { comparableOps, customFieldOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, number, time, boolean, custom, members, membership } = FieldKind;
const relativeToUser = 'depends on the querying user and is not supported';

/**
 * Channel filter fields, from the contract's Channels table (section 8). `name` and
 * `filter_tags` are custom data with the contract's operators. Of the fields relative to the
 * querying user only `joined` and `hidden` are supported: both are one lookup in
 * channel_members, and the caller must give the user (storage's channelFilterTargetFor).
 */
export const channelFilterFields: FilterFieldSpec = {
  resource: 'channel',
  fields: {
    cid: { kind: string, ops: comparableOps },
    id: { kind: string, ops: comparableOps },
    type: { kind: string, ops: comparableOps },
    team: { kind: string, ops: comparableOps },
    created_by_id: { kind: string, ops: comparableOps },
    created_at: { kind: time, ops: comparableOps },
    updated_at: { kind: time, ops: comparableOps },
    last_message_at: { kind: time, ops: comparableOps },
    // Stored as updated_at: see storage/filter/filter-targets.ts.
    last_updated: { kind: time, ops: comparableOps },
    member_count: { kind: number, ops: comparableOps },
    message_count: { kind: number, ops: comparableOps },
    frozen: { kind: boolean, ops: comparableOps },
    disabled: { kind: boolean, ops: ['$eq'] },
    members: { kind: members, ops: ['$in', '$eq'] },
    joined: { kind: membership, ops: ['$eq'] },
    hidden: { kind: membership, ops: ['$eq'] },
    name: { kind: custom, ops: [...comparableOps, '$autocomplete'] },
    filter_tags: { kind: custom, ops: ['$in', '$eq'] },
  },
  custom: { kind: custom, ops: customFieldOps },
  unsupported: {
    'member.user.name': 'is not supported',
    channel_role: 'is not supported',
    muted: relativeToUser,
    pinned: relativeToUser,
    archived: relativeToUser,
    blocked: relativeToUser,
    has_unread: relativeToUser,
    invite: relativeToUser,
    app_banned: relativeToUser,
    distinct: 'is not supported',
    created_by: 'is not supported: use created_by_id',
    deleted_at: 'cannot be used in a channel filter',
    custom: 'cannot be used in a channel filter',
    config: 'cannot be used in a channel filter',
    own_capabilities: 'cannot be used in a channel filter',
    truncated_at: 'cannot be used in a channel filter',
    cooldown: 'cannot be used in a channel filter',
    auto_translation_enabled: 'cannot be used in a channel filter',
  },
};

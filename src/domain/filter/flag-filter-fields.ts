import { FieldKind } from './filter-ast.js';
import { comparableOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, time, boolean } = FieldKind;
const ids = ['$eq', '$in'] as const;
const noAi = 'belongs to Stream\'s AI moderation, which Herald does not have';

/**
 * Flag query filter fields, one set for the three queries (stream-chat's queryMessageFlags and
 * _queryFlags, node-sdk's queryModerationFlags). `user_id` is the flagged user: the author of
 * a flagged message, or the flagged user itself, as Stream's own SDK tests read it
 * (flag by A of B's message, then `user_id: B` finds it); `reporter_id` is who flagged.
 */
export const flagFilterFields: FilterFieldSpec = {
  resource: 'flag',
  fields: {
    user_id: { kind: string, ops: ids },
    reporter_id: { kind: string, ops: ids },
    message_id: { kind: string, ops: ids },
    message_user_id: { kind: string, ops: ids },
    channel_cid: { kind: string, ops: ids },
    reason: { kind: string, ops: ids },
    is_reviewed: { kind: boolean, ops: ['$eq'] },
    entity_type: { kind: string, ops: comparableOps },
    entity_id: { kind: string, ops: comparableOps },
    entity_creator_id: { kind: string, ops: comparableOps },
    created_at: { kind: time, ops: comparableOps },
  },
  custom: null,
  unsupported: {
    team: 'is not kept on flags (Herald has no multi-tenant teams on them)',
    labels: noAi,
    harm_label: noAi,
    harm_type: noAi,
    image_labels: noAi,
  },
};

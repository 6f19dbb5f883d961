import { FieldKind } from './filter-ast.js';
import { comparableOps, customFieldOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, number, time, boolean, custom } = FieldKind;
const notFilterable = 'cannot be used in a message filter';

/**
 * Message filter fields of search's `message_filter_conditions`. `text` takes `$q` (every word
 * of the query appears in the text, case-insensitively) and `$autocomplete` (a word starts
 * with it). Stream's `user.id` and `pinned` are rewritten before parsing
 * (domain/message-search.ts) to `user_id` and `pinned_at` `$exists`.
 */
export const messageFilterFields: FilterFieldSpec = {
  resource: 'message',
  fields: {
    id: { kind: string, ops: ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte'] },
    text: { kind: string, ops: ['$eq', '$q', '$autocomplete'] },
    type: { kind: string, ops: ['$eq', '$ne', '$in', '$nin'] },
    user_id: { kind: string, ops: ['$eq', '$ne', '$in', '$nin'] },
    parent_id: { kind: string, ops: ['$eq', '$in', '$exists'] },
    quoted_message_id: { kind: string, ops: ['$eq', '$in', '$exists'] },
    show_in_channel: { kind: boolean, ops: ['$eq'] },
    reply_count: { kind: number, ops: comparableOps },
    created_at: { kind: time, ops: comparableOps },
    updated_at: { kind: time, ops: comparableOps },
    pinned_at: { kind: time, ops: comparableOps },
  },
  custom: { kind: custom, ops: customFieldOps },
  unsupported: Object.fromEntries(
    [
      'cid', 'channel', 'user', 'html', 'attachments', 'mentioned_users', 'latest_reactions', 'own_reactions',
      'reaction_counts', 'reaction_scores', 'deleted_at', 'silent', 'custom', 'pinned_by', 'pin_expires',
    ].map((name) => [name, notFilterable]),
  ),
};

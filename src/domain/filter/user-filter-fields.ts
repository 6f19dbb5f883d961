import { FieldKind } from './filter-ast.js';
import { comparableOps, customFieldOps, type FilterFieldSpec } from './filter-field-spec.js';

const { string, boolean, time, stringArray, custom } = FieldKind;
const notFilterable = 'cannot be used in a user filter';

/**
 * User filter fields, from the contract's Users table (section 8). `username`, `email` and
 * `bypass_moderation` are not columns: they live in the custom JSON, with the contract's narrower
 * operator lists. `image` and `invisible` are columns the contract does not list; they get the
 * operators a custom field of their type would have, so that moving them out of custom data
 * changed nothing for clients.
 */
export const userFilterFields: FilterFieldSpec = {
  resource: 'user',
  fields: {
    id: { kind: string, ops: ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$autocomplete'] },
    name: { kind: string, ops: [...comparableOps, '$autocomplete'] },
    image: { kind: string, ops: ['$eq', '$ne', '$in', '$nin', '$exists', '$autocomplete'] },
    role: { kind: string, ops: comparableOps },
    language: { kind: string, ops: ['$eq'] },
    banned: { kind: boolean, ops: ['$eq', '$ne'] },
    shadow_banned: { kind: boolean, ops: ['$eq', '$ne'] },
    invisible: { kind: boolean, ops: ['$eq', '$ne'] },
    teams: { kind: stringArray, ops: ['$eq', '$in', '$contains'] },
    created_at: { kind: time, ops: comparableOps },
    updated_at: { kind: time, ops: comparableOps },
    last_active: { kind: time, ops: comparableOps },
    username: { kind: custom, ops: ['$eq', '$autocomplete'] },
    email: { kind: custom, ops: ['$eq', '$in'] },
    bypass_moderation: { kind: custom, ops: ['$eq', '$ne'] },
  },
  custom: { kind: custom, ops: customFieldOps },
  // Reserved names (domain/user.ts) are never stored as custom data: a custom lookup would
  // silently match nothing, so say so instead.
  unsupported: Object.fromEntries(
    [
      'deleted_at', 'deactivated_at', 'custom', 'teams_role', 'online', 'devices', 'push_notifications',
      'revoke_tokens_issued_before', 'ban_expires', 'blocked_user_ids', 'privacy_settings',
      'avg_response_time',
    ].map((name) => [name, notFilterable]),
  ),
};

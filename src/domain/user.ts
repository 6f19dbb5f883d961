import type { Micros } from './clock.js';
import { parseRevokedBefore } from './token-revocation.js';
import { inputError } from './errors.js';

export interface User {
  id: string;
  name: string | null;
  image: string | null;
  role: string;
  teams: string[];
  language: string;
  banned: boolean;
  shadow_banned: boolean;
  invisible: boolean;
  custom: Record<string, unknown>;
  created_at: Micros;
  updated_at: Micros;
  last_active: Micros | null;
  deleted_at: Micros | null;
  deactivated_at: Micros | null;
  /** This user's tokens issued before this are refused (Stream's revokeUserToken). */
  revoke_tokens_issued_before?: Micros | null;
}

/** What a client may set on a user; everything else it sends is custom data. */
export interface UserInput {
  id: string;
  name?: string | null;
  image?: string | null;
  role?: string;
  teams?: string[];
  language?: string;
  invisible?: boolean;
  custom: Record<string, unknown>;
}

/** Field names that are never custom data, on either wire encoding. */
export const userReservedFields = new Set([
  'id', 'name', 'image', 'role', 'teams', 'teams_role', 'language', 'invisible', 'banned',
  'shadow_banned', 'online', 'created_at', 'updated_at', 'last_active', 'deleted_at',
  'deactivated_at', 'blocked_user_ids', 'custom', 'revoke_tokens_issued_before', 'ban_expires',
  'push_notifications', 'devices', 'privacy_settings', 'avg_response_time',
]);

// Stream allows letters, digits and @_- in user ids; 255 characters at most.
const USER_ID = /^[\w@.-]{1,255}$/;

export function checkUserId(id: unknown, field = 'id'): string {
  if (typeof id !== 'string' || !USER_ID.test(id)) {
    throw inputError(`${field} is required and must be at most 255 letters, digits or @_-.`, {
      [field]: 'invalid user id',
    });
  }
  return id;
}

/**
 * The user an upsert stores: everything the input gives replaces the old user (Stream's
 * upsert is a full replace), but created_at, bans, last_active and deactivation are kept,
 * and so is the role when the caller may not set it (a user token).
 */
export function upsertedUser(input: UserInput, before: User | undefined, now: Micros, mayChangeRole: boolean): User {
  return {
    id: input.id,
    name: input.name ?? null,
    image: input.image ?? null,
    role: (mayChangeRole ? input.role : undefined) ?? before?.role ?? 'user',
    teams: input.teams ?? [],
    language: input.language ?? '',
    banned: before?.banned ?? false,
    shadow_banned: before?.shadow_banned ?? false,
    invisible: input.invisible ?? false,
    custom: input.custom,
    created_at: before?.created_at ?? now,
    updated_at: now,
    last_active: before?.last_active ?? null,
    deleted_at: null,
    deactivated_at: before?.deactivated_at ?? null,
    revoke_tokens_issued_before: before?.revoke_tokens_issued_before ?? null,
  };
}


/**
 * Applies a partial update (`set` wins over `unset` for the same key, as in Stream) to a user.
 * Keys in `set` and `unset` are reserved fields or custom ones.
 */
export function applyPartialUpdate(
  user: User,
  set: Record<string, unknown>,
  unset: string[],
  now: Micros,
): User {
  const next: User = { ...user, custom: { ...user.custom }, teams: [...user.teams], updated_at: now };
  for (const key of unset) {
    if (key === 'id' || key === 'role') throw inputError(`cannot unset ${key}`, { unset: key });
    if (key === 'name' || key === 'image') next[key] = null;
    else if (key === 'teams') next.teams = [];
    else if (key === 'language') next.language = '';
    else if (key === 'invisible') next.invisible = false;
    else delete next.custom[key];
  }
  for (const [key, value] of Object.entries(set)) {
    switch (key) {
      case 'id':
        if (value !== user.id) throw inputError('id cannot be changed', { set: 'id' });
        break;
      case 'name':
      case 'image':
        next[key] = value == null ? null : String(value);
        break;
      case 'role':
      case 'language':
        next[key] = String(value ?? '');
        break;
      case 'teams':
        if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) {
          throw inputError('teams must be a list of strings', { teams: 'invalid' });
        }
        next.teams = value;
        break;
      case 'invisible':
        next.invisible = Boolean(value);
        break;
      case 'revoke_tokens_issued_before':
        next.revoke_tokens_issued_before = parseRevokedBefore(value, 'revoke_tokens_issued_before');
        break;
      default:
        if (!userReservedFields.has(key)) next.custom[key] = value;
    }
  }
  return next;
}

import type { Micros } from './clock.js';
import { inputError } from './errors.js';

/**
 * A user's report of a message or of another user (Stream's flag). One per flagger and
 * target: flagging again is an error, and unflagging takes the report back. Herald keeps
 * flags for the app's own moderators (the flag queries); it has no review queue of its own.
 */
export interface Flag {
  id: string;
  target_type: FlagTarget;
  /** The message id, or the user id. */
  target_id: string;
  /** Who flagged. */
  user_id: string;
  reason: string | null;
  custom: Record<string, unknown>;
  created_at: Micros;
  updated_at: Micros;
  reviewed_at: Micros | null;
  reviewed_by_id: string | null;
}

export const FlagTarget = { message: 'message', user: 'user' } as const;
export type FlagTarget = (typeof FlagTarget)[keyof typeof FlagTarget];

/**
 * The entity types of Stream's moderation v2 API (`entity_type` of POST /api/v2/moderation/flag
 * and of its flags), for the two targets Herald knows.
 */
export const FlagEntityType = { message: 'stream:chat:v1:message', user: 'stream:user' } as const;
export const entityTypeOf = (target: FlagTarget): string => FlagEntityType[target];

export const FlagEventType = { messageFlagged: 'message.flagged', userFlagged: 'user.flagged' } as const;

/** Stream's longest flag reason (FlagRequest.reason). */
export const MAX_FLAG_REASON_LENGTH = 255;

/** A flag request's target, from the legacy fields or the v2 entity fields. */
export interface FlagTargetInput {
  target_message_id?: string;
  target_user_id?: string;
  entity_type?: string;
  entity_id?: string;
}

/** Exactly one target: a message or a user, named either way. */
export function flagTargetOf(input: FlagTargetInput): { type: FlagTarget; id: string } {
  const named: Array<{ type: FlagTarget; id: string }> = [];
  if (input.target_message_id !== undefined) named.push({ type: FlagTarget.message, id: input.target_message_id });
  if (input.target_user_id !== undefined) named.push({ type: FlagTarget.user, id: input.target_user_id });
  if (input.entity_type !== undefined || input.entity_id !== undefined) {
    if (input.entity_type === undefined || input.entity_id === undefined) {
      throw inputError('entity_type and entity_id go together', { [input.entity_type === undefined ? 'entity_type' : 'entity_id']: 'required' });
    }
    const type = (Object.keys(FlagEntityType) as FlagTarget[]).find((t) => FlagEntityType[t] === input.entity_type);
    if (!type) {
      throw inputError(
        `entity_type "${input.entity_type}" cannot be flagged: Herald flags messages (${FlagEntityType.message}) and users (${FlagEntityType.user})`,
        { entity_type: 'not supported' },
      );
    }
    named.push({ type, id: input.entity_id });
  }
  if (named.length !== 1) {
    throw inputError('give exactly one of target_message_id, target_user_id, or entity_type with entity_id', { target_message_id: 'one target' });
  }
  const [target] = named;
  if (target.id.length === 0) throw inputError('the flag target id is empty', { target_id: 'required' });
  return target;
}

export function checkFlagReason(reason: string | undefined): string | null {
  if (reason === undefined || reason === '') return null;
  if (reason.length > MAX_FLAG_REASON_LENGTH) {
    throw inputError(`reason is longer than ${MAX_FLAG_REASON_LENGTH} characters`, { reason: 'too long' });
  }
  return reason;
}

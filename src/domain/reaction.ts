import { inputError } from './errors.js';
import type { Message, Reaction } from './message.js';

/** The events a reaction change reports (Stream's names). */
export const ReactionEventType = {
  new: 'reaction.new',
  /** A send with enforce_unique that replaced the user's earlier reactions (stream-chat's reading of it). */
  updated: 'reaction.updated',
  deleted: 'reaction.deleted',
} as const;
export type ReactionEventType = (typeof ReactionEventType)[keyof typeof ReactionEventType];

/** Stream's longest reaction type (ReactionRequest.type). */
export const MAX_REACTION_TYPE_LENGTH = 30;
/** latest_reactions holds a message's 10 newest, own_reactions the reader's 10 newest (MessageResponse). */
export const LATEST_REACTIONS = 10;
export const OWN_REACTIONS = 10;

/** reactions.score is an int4 on PostgreSQL. */
const MIN_SCORE = -2_147_483_648;
const MAX_SCORE = 2_147_483_647;

/** Fields of a reaction request that are not custom data. */
export const reactionReservedFields = new Set([
  'type', 'score', 'user', 'user_id', 'message_id', 'created_at', 'updated_at', 'custom',
]);

export function checkReactionType(type: unknown, field = 'reaction.type'): string {
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_REACTION_TYPE_LENGTH) {
    throw inputError(`${field} must be a string of 1 to ${MAX_REACTION_TYPE_LENGTH} characters`, { [field]: 'invalid' });
  }
  return type;
}

/** A reaction's score: 1 unless given (Stream's default), a whole number otherwise. */
export function checkReactionScore(score: unknown): number {
  if (score === undefined) return 1;
  if (typeof score !== 'number' || !Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE) {
    throw inputError(`reaction.score must be a whole number between ${MIN_SCORE} and ${MAX_SCORE}`, { 'reaction.score': 'invalid' });
  }
  return score;
}

export interface ReactionTallies {
  counts: Record<string, number>;
  scores: Record<string, number>;
}

/**
 * A message's reaction_counts and reaction_scores after `removed` left and `added` came: an
 * O(1) change of the stored tallies, which the caller reads and writes with the message row
 * locked, so that they stay the sum of the message's reaction rows. A type whose count drops
 * to 0 leaves both objects, as on Stream.
 */
export function retally(message: Pick<Message, 'reaction_counts' | 'reaction_scores'>, removed: readonly Reaction[], added: Reaction | null): ReactionTallies {
  const counts = { ...(message.reaction_counts ?? {}) };
  const scores = { ...(message.reaction_scores ?? {}) };
  for (const r of removed) {
    counts[r.type] = (counts[r.type] ?? 0) - 1;
    scores[r.type] = (scores[r.type] ?? 0) - r.score;
  }
  if (added) {
    counts[added.type] = (counts[added.type] ?? 0) + 1;
    scores[added.type] = (scores[added.type] ?? 0) + added.score;
  }
  for (const type of Object.keys(counts)) {
    if (counts[type] <= 0) {
      delete counts[type];
      delete scores[type];
    }
  }
  return { counts, scores };
}

/** True when the message has any reaction: only those are worth a read of the reactions table. */
export const hasReactions = (m: Pick<Message, 'reaction_counts'>): boolean =>
  m.reaction_counts !== undefined && Object.keys(m.reaction_counts).length > 0;

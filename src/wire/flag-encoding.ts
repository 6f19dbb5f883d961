import type { FlagView } from '../app/flags.js';
import { entityTypeOf, FlagTarget } from '../domain/flag.js';
import type { WireEncoder } from './wire-encoder.js';

/**
 * A flag as all three of Stream's shapes at once, since one route serves them: the legacy
 * FlagResponse (user, target_message, target_user), queryMessageFlags' entry (message, user),
 * and the v2 ModerationFlagResponse (entity_type, entity_id, entity_creator_id, user_id,
 * type, result). `user` is who flagged in every one of them.
 */
export function encodeFlag(wire: WireEncoder, v: FlagView): Record<string, unknown> {
  const { flag } = v;
  const message = v.message && wire.message({ message: v.message, user: v.author });
  // The flagged content's author: the message's, or the flagged user; unknown for a message since removed.
  const creatorId = flag.target_type === FlagTarget.user ? flag.target_id : v.message?.user_id;
  return {
    id: flag.id,
    created_at: wire.time(flag.created_at),
    updated_at: wire.time(flag.updated_at),
    created_by_automod: false,
    user: wire.userOrStub(v.reporter, flag.user_id),
    user_id: flag.user_id,
    ...(flag.reason !== null && { reason: flag.reason }),
    custom: flag.custom,
    details: {},
    reviewed_at: wire.time(flag.reviewed_at),
    reviewed_by: flag.reviewed_by_id,
    ...(flag.target_type === FlagTarget.message && { target_message_id: flag.target_id }),
    ...(message && { target_message: message, message }),
    ...(flag.target_type === FlagTarget.user && { target_user: wire.userOrStub(v.target_user, flag.target_id) }),
    entity_type: entityTypeOf(flag.target_type),
    entity_id: flag.target_id,
    ...(creatorId !== undefined && { entity_creator_id: creatorId }),
    type: 'flag',
    result: [],
    review_queue_item_id: flag.id,
  };
}

import type { CampaignView } from '../app/campaign-view.js';
import type { SegmentTarget } from '../app/ports.js';
import type { Segment } from '../domain/segment.js';
import type { WireEncoder } from './wire-encoder.js';

/** Segment and campaign objects of contract 2.3 and 3.2, in either wire family. */
export function encodeSegment(wire: WireEncoder, s: Segment): Record<string, unknown> {
  return {
    id: s.id,
    type: s.type,
    name: s.name,
    description: s.description,
    filter: s.filter,
    all_users: s.all_users,
    all_sender_channels: s.all_sender_channels,
    size: s.size,
    // Herald's addition: when `size` was last computed (null while a filter size is pending).
    size_computed_at: wire.time(s.size_computed_at),
    locked: false,
    created_at: wire.time(s.created_at),
    updated_at: wire.time(s.updated_at),
    deleted_at: null,
  };
}

export function encodeSegmentTarget(wire: WireEncoder, t: SegmentTarget): Record<string, unknown> {
  return { app_pk: 1, segment_id: t.segment_id, target_id: t.target_id, created_at: wire.time(t.created_at) };
}

export function encodeCampaign(wire: WireEncoder, view: CampaignView): Record<string, unknown> {
  const c = view.campaign;
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    sender_id: c.sender_id,
    ...(view.sender && { sender: wire.user(view.sender) }),
    sender_mode: c.sender_mode ?? '',
    sender_visibility: c.sender_visibility ?? '',
    create_channels: c.create_channels,
    show_channels: c.show_channels,
    skip_push: c.skip_push,
    skip_webhook: c.skip_webhook,
    segment_ids: c.segment_ids,
    segments: view.segments.map((s) => encodeSegment(wire, s)),
    user_ids: c.user_ids,
    users: view.users.map((u) => wire.user(u)),
    message_template: c.message_template,
    ...(c.channel_template && { channel_template: c.channel_template }),
    // Herald's campaign controls (README, Campaign controls).
    max_messages_per_second: c.max_messages_per_second,
    delivery_window: c.delivery_window,
    recall_status: c.recall_status,
    ...(c.error && { error: c.error }),
    status: c.status,
    stats: {
      progress: c.stats.progress,
      stats_messages_sent: c.stats.stats_messages_sent,
      stats_channels_created: c.stats.stats_channels_created,
      stats_users_sent: c.stats.stats_users_sent,
      stats_users_read: c.stats.stats_users_read,
      stats_started_at: wire.time(c.stats.stats_started_at),
      stats_completed_at: wire.time(c.stats.stats_completed_at),
      stats_messages_recalled: c.stats.stats_messages_recalled,
      stats_targets_deferred: c.stats.stats_targets_deferred,
    },
    scheduled_for: wire.time(c.scheduled_for),
    stop_at: wire.time(c.stop_at),
    created_at: wire.time(c.created_at),
    updated_at: wire.time(c.updated_at),
  };
}

/** Create, get and start: `{campaign, users: {next, prev}}` (contract 2.1). */
export function campaignResponse(wire: WireEncoder, view: CampaignView): Record<string, unknown> {
  return { campaign: encodeCampaign(wire, view), users: view.usersPager };
}

/**
 * Update and stop (contract 2.7): the live API wraps the campaign, as Ruby's and Java's tests
 * read it; the generated v2 clients read a bare CampaignResponse. Both are served: the
 * campaign's fields are copied beside the wrapper, except `users`, which stays the pager.
 */
export function wrappedCampaignResponse(wire: WireEncoder, view: CampaignView): Record<string, unknown> {
  const campaign = encodeCampaign(wire, view);
  const { users: _users, ...topLevel } = campaign;
  return { ...topLevel, campaign, users: view.usersPager };
}

import type { Micros } from './clock.js';
import { inputError } from './errors.js';
import { channelFilterFields } from './filter/channel-filter-fields.js';
import type { FilterFieldSpec } from './filter/filter-field-spec.js';
import { parseFilter } from './filter/filter-parser.js';
import { userFilterFields } from './filter/user-filter-fields.js';

export const SegmentType = { user: 'user', channel: 'channel' } as const;
export type SegmentType = (typeof SegmentType)[keyof typeof SegmentType];

/** What decides a segment's members: mutually exclusive (contract 3.2). */
export const SegmentSource = {
  filter: 'filter',
  allUsers: 'all_users',
  allSenderChannels: 'all_sender_channels',
  targets: 'targets',
} as const;
export type SegmentSource = (typeof SegmentSource)[keyof typeof SegmentSource];

export interface Segment {
  id: string;
  type: SegmentType;
  name: string;
  description: string;
  filter: Record<string, unknown> | null;
  all_users: boolean;
  all_sender_channels: boolean;
  /** Explicit targets: exact. Filter and all_users: as of size_computed_at. */
  size: number;
  size_computed_at: Micros | null;
  created_at: Micros;
  updated_at: Micros;
  deleted_at: Micros | null;
}

export const SegmentLimits = {
  idLength: 255,
  nameLength: 128,
  descriptionLength: 256,
  addTargets: 10_000,
  deleteTargets: 100,
  targetsPage: 10_000,
  queryPage: 100,
} as const;

export const sourceOf = (s: Pick<Segment, 'filter' | 'all_users' | 'all_sender_channels'>): SegmentSource =>
  s.filter ? SegmentSource.filter : s.all_users ? SegmentSource.allUsers : s.all_sender_channels ? SegmentSource.allSenderChannels : SegmentSource.targets;

/**
 * A channel segment's filter is a server-side query-channels filter: it has no querying user,
 * so `joined` and `hidden` are refused when the segment is written. Accepted, they could never
 * be compiled, and the sizer would retry that segment forever ahead of every other one.
 */
const channelSegmentFilterFields: FilterFieldSpec = {
  ...channelFilterFields,
  fields: Object.fromEntries(Object.entries(channelFilterFields.fields).filter(([f]) => f !== 'joined' && f !== 'hidden')),
  unsupported: {
    ...channelFilterFields.unsupported,
    joined: 'depends on the querying user, and a segment has none',
    hidden: 'depends on the querying user, and a segment has none',
  },
};

export interface SegmentDefinition {
  type: SegmentType;
  filter?: Record<string, unknown> | null;
  all_users?: boolean;
  all_sender_channels?: boolean;
}

/** Checks that at most one source is given, that it fits the type, and that a filter parses. */
export function checkSegmentDefinition(d: SegmentDefinition): void {
  const given = [
    d.filter ? 'filter' : null,
    d.all_users ? 'all_users' : null,
    d.all_sender_channels ? 'all_sender_channels' : null,
  ].filter((s): s is string => s !== null);
  if (given.length > 1) {
    throw inputError(`${given.join(' and ')} are mutually exclusive`, Object.fromEntries(given.map((g) => [g, 'mutually exclusive'])));
  }
  if (d.all_users && d.type !== SegmentType.user) {
    throw inputError('all_users applies only to segments of type user', { all_users: 'wrong segment type' });
  }
  if (d.all_sender_channels && d.type !== SegmentType.channel) {
    throw inputError('all_sender_channels applies only to segments of type channel', { all_sender_channels: 'wrong segment type' });
  }
  if (d.filter) parseFilter(d.filter, d.type === SegmentType.user ? userFilterFields : channelSegmentFilterFields);
}

export function checkSegmentText(field: 'name' | 'description', value: string | undefined): void {
  const max = field === 'name' ? SegmentLimits.nameLength : SegmentLimits.descriptionLength;
  if (value !== undefined && value.length > max) {
    throw inputError(`${field} must be at most ${max} characters`, { [field]: 'too long' });
  }
}

import type { Channel, ChannelMember } from '../domain/channel.js';
import type { ChannelMute, ChannelMuteView } from '../domain/channel-mute.js';
import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Message } from '../domain/message.js';

/** Store interfaces of channel management: members, channel data, truncation, mutes, exports. */

export interface MemberQuery {
  cid: string;
  filter: FilterNode;
  sort: SortSpec;
  limit: number;
  offset: number;
}

export interface MemberStore {
  /** The members among `userIds`, in no particular order. */
  batchGet(cid: string, userIds: readonly string[]): Promise<ChannelMember[]>;
  /** Query members: the filter over the membership and its user (member-filter-fields.ts). */
  query(query: MemberQuery): Promise<ChannelMember[]>;
  /** Writes the member's role, custom data, archive and pin, invite state and updated_at. */
  update(cid: string, member: ChannelMember): Promise<void>;
  /** Deletes the memberships and keeps member_count true; returns the members removed. */
  remove(cid: string, userIds: readonly string[], now: Micros): Promise<ChannelMember[]>;
  /**
   * Adds the users as invited members (pending until they accept or reject), those not
   * members yet; member_count counts them, as Stream's does. Returns the invited ids.
   */
}

export interface ChannelAdminStore {
  /**
   * The channel (not deleted), locked for the rest of the transaction: a row lock on
   * PostgreSQL, SQLite's one writer. Every change of a channel or its members takes it first,
   * so that changes of one channel (read-modify-write of its custom data, member_count) queue.
   */
  lock(cid: string): Promise<Channel | undefined>;
  /** Writes the channel's custom data, frozen, disabled, team and updated_at. */
  save(channel: Channel): Promise<void>;
  /**
   * Truncates the channel's history up to `at`: marks the messages created until then deleted
   * (soft), or removes them and their reactions (hard); stamps truncated_at/truncated_by_id and
   * recounts message_count over the messages left. Returns how many messages it truncated.
   */
  truncate(cid: string, at: Micros, byId: string | null, hard: boolean, now: Micros): Promise<number>;
}

export interface ChannelMuteStore {
  /** Inserts the mutes, or replaces the expiry of those that exist (created_at kept). */
  upsert(mutes: readonly ChannelMute[]): Promise<void>;
  /** Deletes the user's mutes of the channels; returns how many there were. */
  delete(userId: string, cids: readonly string[]): Promise<number>;
  /** The user's mutes that are active at `now`, oldest first, with their channels. */
  ofUser(userId: string, now: Micros): Promise<ChannelMuteView[]>;
}

export interface ExportFile {
  task_id: string;
  /** The secret of the download URL (a capability, as a pre-signed URL is). */
  token: string;
  /** The export, as served. */
  body: string;
  created_at: Micros;
}

export interface ExportMessagePage {
  /** Messages after this id (null: from the first), in id order. */
  after: string | null;
  limit: number;
  since?: Micros;
  until?: Micros;
}

export interface ChannelExportStore {
  insert(file: ExportFile): Promise<void>;
  get(taskId: string): Promise<ExportFile | undefined>;
  /** The channel, soft-deleted ones too when `includeDeleted`. */
  channel(cid: string, includeDeleted: boolean): Promise<Channel | undefined>;
  /** A page of the channel's messages, deleted (and truncated) ones too. */
  messages(cid: string, page: ExportMessagePage): Promise<Message[]>;
}

import type { ColumnType, Generated } from 'kysely';

/**
 * Table types. Times are bigint microseconds since the epoch; booleans are 0/1 integers in both
 * dialects (better-sqlite3 cannot bind JS booleans, and one representation keeps the filter
 * compiler dialect-free); JSON columns hold TEXT on SQLite and jsonb on PostgreSQL, written as
 * JSON strings and read back through DialectCaps.parseJson. Rows never leave storage/.
 */
type Json = ColumnType<unknown, string, string>;
type Flag = number;

export interface UsersTable {
  id: string;
  name: string | null;
  image: string | null;
  role: string;
  teams: Json;
  language: string;
  banned: Flag;
  shadow_banned: Flag;
  invisible: Flag;
  custom: Json;
  created_at: number;
  updated_at: number;
  last_active: number | null;
  deleted_at: number | null;
  deactivated_at: number | null;
}

export interface ChannelsTable {
  /** Time-ordered surrogate key: cids (and distinct channels' member hashes) are random text. */
  pk: Generated<number>;
  cid: string;
  type: string;
  id: string;
  created_by_id: string | null;
  team: string | null;
  frozen: Flag;
  disabled: Flag;
  member_count: number;
  message_count: number;
  last_message_at: number | null;
  custom: Json;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface ChannelMembersTable {
  channel_pk: number;
  user_id: string;
  channel_role: string;
  hidden: Flag;
  archived_at: number | null;
  pinned_at: number | null;
  last_read_at: number | null;
  banned: Flag;
  notifications_muted: Flag;
  created_at: number;
  updated_at: number;
}

export interface MessagesTable {
  /** UUIDv7: time-ordered, so inserts append to the B-tree (see DESIGN.md, performance notes). */
  id: string;
  channel_pk: number;
  user_id: string;
  type: string;
  text: string;
  attachments: Json;
  poll_id: string | null;
  custom: Json;
  campaign_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface TasksTable {
  id: string;
  type: string;
  status: string;
  result: ColumnType<unknown, string | null, string | null>;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export interface Schema {
  users: UsersTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  tasks: TasksTable;
}

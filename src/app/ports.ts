import type { Channel, ChannelMember } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Message } from '../domain/message.js';
import type { Task } from '../domain/task.js';
import type { User } from '../domain/user.js';

/** Store interfaces the app layer owns; storage/ implements them for SQLite and PostgreSQL. */

export interface PageRequest {
  filter: FilterNode;
  sort: SortSpec;
  limit: number;
  offset: number;
}

export interface UserStore {
  /** Inserts or fully replaces users, keeping each existing user's created_at. */
  batchUpsert(users: readonly User[]): Promise<void>;
  batchGet(ids: readonly string[]): Promise<User[]>;
  query(page: PageRequest): Promise<User[]>;
  /** Marks users deleted (soft) or removes them and their memberships (hard). Returns how many existed. */
  batchDelete(ids: readonly string[], mode: 'soft' | 'hard', now: Micros): Promise<number>;
}

export interface NewMember {
  user_id: string;
  channel_role: string;
}

export interface ChannelStore {
  get(cid: string): Promise<Channel | undefined>;
  /** Creates the channel unless its cid exists; returns the stored one and whether it was created. */
  getOrInsert(channel: Channel): Promise<{ channel: Channel; created: boolean }>;
  query(page: PageRequest & { memberId?: string }): Promise<Channel[]>;
  /** Soft delete keeps the row and its messages; hard removes both. */
  delete(cid: string, hard: boolean, now: Micros): Promise<boolean>;
  members(cid: string, limit: number, offset: number): Promise<ChannelMember[]>;
  member(cid: string, userId: string): Promise<ChannelMember | undefined>;
  /** Adds the members that are not there yet and keeps member_count true; returns the added ids. */
  addMembers(cid: string, members: readonly NewMember[], now: Micros): Promise<string[]>;
  setHidden(cid: string, userId: string, hidden: boolean, now: Micros): Promise<boolean>;
  /** Un-hides the channel for every member who hid it (a new message arrived). */
  unhideAll(cid: string, now: Micros): Promise<void>;
  markRead(cid: string, userId: string, at: Micros): Promise<boolean>;
}

export interface MessagePage {
  limit: number;
  id_lt?: string;
  id_lte?: string;
  id_gt?: string;
  id_gte?: string;
}

export interface MessageStore {
  /** Inserts the message and bumps the channel's message_count and last_message_at. */
  insert(message: Message): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  batchGet(cid: string, ids: readonly string[]): Promise<Message[]>;
  /** Newest-last page of a channel's history. */
  history(cid: string, page: MessagePage): Promise<Message[]>;
  /** Soft-deletes (marks) or removes the messages the users wrote. */
  batchDeleteByUsers(userIds: readonly string[], mode: 'soft' | 'hard', now: Micros): Promise<void>;
}

export interface TaskStore {
  insert(task: Task): Promise<void>;
  get(id: string): Promise<Task | undefined>;
}

export interface Stores {
  users: UserStore;
  channels: ChannelStore;
  messages: MessageStore;
  tasks: TaskStore;
}

export interface Storage extends Stores {
  /** Runs fn in one transaction; the stores it gets see and write only inside it. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>;
}

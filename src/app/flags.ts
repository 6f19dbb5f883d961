import type { ChatEvent } from '../domain/chat-event.js';
import { checkCustomData } from '../domain/custom-data.js';
import { decodeOffset, offsetPager } from '../domain/cursor.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { flagFilterFields } from '../domain/filter/flag-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import { checkFlagReason, FlagEventType, FlagTarget, flagTargetOf, type Flag, type FlagTargetInput } from '../domain/flag.js';
import type { Message } from '../domain/message.js';
import { MODERATOR_ROLES } from '../domain/moderation.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import { pageLimit, type Paged } from './paging.js';
import type { Stores } from './ports.js';

export interface FlagInput extends FlagTargetInput {
  reason?: string;
  /** Who flags, for server-side auth; a user token flags as itself. */
  user_id?: string;
  custom: Record<string, unknown>;
}

/** A flag with the objects its answers and events show. */
export interface FlagView {
  flag: Flag;
  reporter: User | null;
  /** The flagged message (deleted ones too) and its author; null for a user flag. */
  message: Message | null;
  author: User | null;
  /** The flagged user; null for a message flag. */
  target_user: User | null;
}

export interface FlagQuery {
  filter?: unknown;
  sort?: unknown;
  limit?: number;
  /** Legacy paging; v2 sends next/prev. */
  offset?: number;
  next?: string;
  prev?: string;
}

const MAX_OFFSET = 10_000;

/**
 * Flags of messages and users. A flag is a report for the app's moderators: it changes
 * nothing in the chat, and is told to webhooks only (message.flagged, user.flagged), never to
 * chat connections. Herald has no review queue; the flag queries are how a moderation tool
 * reads the reports, and unflag takes one back.
 */
export class FlagsService {
  constructor(private readonly deps: AppDeps) {}

  async flag(caller: Caller, input: FlagInput): Promise<FlagView> {
    const target = flagTargetOf(input);
    const reason = checkFlagReason(input.reason);
    checkCustomData(input.custom, 'custom', this.deps.customData);
    const reporterId = this.actor(caller, input.user_id, 'flag');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const [reporter] = await stores.users.batchGet([reporterId]);
      if (!reporter || reporter.deleted_at !== null) throw inputError(`user "${reporterId}" does not exist`, { user_id: 'not found' });
      const view = await this.targetOf(stores, caller, target.type, target.id);
      const flag: Flag = {
        id: this.deps.ids.next(),
        target_type: target.type,
        target_id: target.id,
        user_id: reporterId,
        reason,
        custom: input.custom,
        created_at: now,
        updated_at: now,
        reviewed_at: null,
        reviewed_by_id: null,
      };
      // Stream answers a second flag of the same target by the same user with an error.
      if (!(await stores.flags.insert(flag))) {
        throw inputError(`${target.type} "${target.id}" is already flagged by user "${reporterId}"`, { [`target_${target.type}_id`]: 'already flagged' });
      }
      const total = await stores.flags.countFor(target.type, target.id);
      await publishChatEvents(this.deps, stores, [await this.flaggedEvent(stores, { ...view, flag, reporter }, total)]);
      return { ...view, flag, reporter };
    });
  }

  /** Takes the caller's flag back (Stream's deprecated unflag, which Herald still honours). */
  async unflag(caller: Caller, input: FlagTargetInput & { user_id?: string }): Promise<FlagView> {
    const target = flagTargetOf(input);
    const reporterId = this.actor(caller, input.user_id, 'unflag');
    const removed = await this.deps.storage.flags.delete(target.type, target.id, reporterId);
    if (!removed) throw notFound(`user "${reporterId}" has not flagged ${target.type} "${target.id}"`);
    const [view] = await this.views([removed]);
    return view;
  }

  /** The flag queries; `messagesOnly` for queryMessageFlags. Server-side auth, or a moderator's token. */
  async query(caller: Caller, input: FlagQuery, options: { messagesOnly: boolean; maxLimit: number }): Promise<Paged<FlagView>> {
    await this.requireModerator(caller);
    const filter = parseFilter(input.filter ?? {}, flagFilterFields);
    const sort = parseSort(input.sort, flagFilterFields);
    const limit = pageLimit(input.limit, 10, options.maxLimit);
    const offset = input.offset ?? (input.next ? decodeOffset(input.next, 'next') : decodeOffset(input.prev, 'prev'));
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
      throw inputError(`offset must be between 0 and ${MAX_OFFSET}`, { offset: 'out of range' });
    }
    const rows = await this.deps.storage.flags.query({ filter, sort, limit: limit + 1, offset, messagesOnly: options.messagesOnly });
    const items = await this.views(rows.slice(0, limit));
    return { items, ...offsetPager(offset, limit, items.length, rows.length > limit) };
  }

  /** node-sdk's getFlagCount: flags of a user's content (its messages, or itself), of one entity type if given. */
  async countOf(caller: Caller, creatorId: string, entityType: string | undefined): Promise<number> {
    await this.requireModerator(caller);
    const filter = parseFilter({ entity_creator_id: creatorId, ...(entityType !== undefined && { entity_type: entityType }) }, flagFilterFields);
    return this.deps.storage.flags.count(filter);
  }

  private actor(caller: Caller, userId: string | undefined, what: string): string {
    if (caller.kind === 'user') {
      if (userId !== undefined && userId !== caller.userId) {
        throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
      }
      return caller.userId;
    }
    if (!userId) throw inputError(`user_id is required when using server side auth`, { user_id: 'required' });
    return userId;
  }

  /** The flagged message or user, which must exist; a user token flags only messages it can read. */
  private async targetOf(stores: Stores, caller: Caller, type: FlagTarget, id: string): Promise<Omit<FlagView, 'flag' | 'reporter'>> {
    if (type === FlagTarget.user) {
      const [user] = await stores.users.batchGet([id]);
      if (!user || user.deleted_at !== null) throw notFound(`user "${id}" does not exist`);
      return { message: null, author: null, target_user: user };
    }
    const message = await stores.messages.get(id);
    if (!message || message.deleted_at !== null) throw notFound(`message "${id}" does not exist`);
    if (caller.kind === 'user' && !(await stores.channels.member(message.cid, caller.userId))) {
      throw notAllowed(`user "${caller.userId}" is not a member of channel "${message.cid}"`);
    }
    const [author] = await stores.users.batchGet([message.user_id]);
    return { message, author: author ?? null, target_user: null };
  }

  private async flaggedEvent(stores: Stores, view: FlagView, total: number): Promise<ChatEvent> {
    const { flag } = view;
    const base = {
      created_at: flag.created_at,
      user: { id: flag.user_id, user: view.reporter },
      fields: { reason: flag.reason ?? '', total_flags: total, custom: flag.custom },
      // For moderators' backends only: no chat connection hears a flag.
      to_watchers: false,
    };
    if (!view.message) {
      return { ...base, type: FlagEventType.userFlagged, users: { target_user: { id: flag.target_id, user: view.target_user } } };
    }
    const channel = await stores.channels.get(view.message.cid);
    return { ...base, type: FlagEventType.messageFlagged, ...(channel && { channel }), message: { message: view.message, author: view.author } };
  }

  /** The flags' messages and users, read in one batch each. */
  private async views(flags: readonly Flag[]): Promise<FlagView[]> {
    const messageIds = flags.filter((f) => f.target_type === FlagTarget.message).map((f) => f.target_id);
    const messages = new Map((messageIds.length > 0 ? await this.deps.storage.messages.byIds(messageIds) : []).map((m) => [m.id, m]));
    const userIds = new Set<string>();
    for (const f of flags) {
      userIds.add(f.user_id);
      if (f.target_type === FlagTarget.user) userIds.add(f.target_id);
      const message = messages.get(f.target_id);
      if (f.target_type === FlagTarget.message && message) userIds.add(message.user_id);
    }
    const users = new Map((userIds.size > 0 ? await this.deps.storage.users.batchGet([...userIds]) : []).map((u) => [u.id, u]));
    return flags.map((flag) => {
      const message = flag.target_type === FlagTarget.message ? (messages.get(flag.target_id) ?? null) : null;
      return {
        flag,
        reporter: users.get(flag.user_id) ?? null,
        message,
        author: message ? (users.get(message.user_id) ?? null) : null,
        target_user: flag.target_type === FlagTarget.user ? (users.get(flag.target_id) ?? null) : null,
      };
    });
  }

  private async requireModerator(caller: Caller): Promise<void> {
    if (caller.kind === 'server') return;
    const [user] = await this.deps.storage.users.batchGet([caller.userId]);
    if (!user || !MODERATOR_ROLES.has(user.role)) {
      throw notAllowed(`user "${caller.userId}" may not query flags: it takes server-side auth or an admin or moderator`);
    }
  }
}

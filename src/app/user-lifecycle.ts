import type { ChatEvent } from '../domain/chat-event.js';
import type { Micros } from '../domain/clock.js';
import { checkCustomData } from '../domain/custom-data.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import type { Message, Reaction } from '../domain/message.js';
import { TaskStatus, type Task } from '../domain/task.js';
import { checkUserId, upsertedUser, type User, type UserInput } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import { requireServer, type Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import type { Stores } from './ports.js';
import { MAX_USERS_PER_UPSERT } from './users.js';

export interface DeactivateOptions {
  /** Soft-deletes the user's messages; a reactivation with restore_messages brings them back. */
  mark_messages_deleted?: boolean;
  created_by_id?: string;
}

export interface ReactivateOptions {
  restore_messages?: boolean;
  created_by_id?: string;
  /** A new name for the user. */
  name?: string;
}

export interface UserExport {
  user: User;
  messages: Array<{ message: Message; user: User }>;
  reactions: Reaction[];
}

// An export is one response: these bound it (Stream pages nothing here either).
const EXPORT_MAX_MESSAGES = 10_000;
const EXPORT_MAX_REACTIONS = 10_000;
const MAX_EVENT_TYPE_LENGTH = 255;

/**
 * A user's lifecycle beyond create and delete: deactivation (the user can no longer connect,
 * call the API with its token, or send) and reactivation, restore of soft-deleted users,
 * guest users, export, and custom events sent to a user's connections.
 */
export class UserLifecycleService {
  constructor(private readonly deps: AppDeps) {}

  async deactivate(caller: Caller, id: string, options: DeactivateOptions): Promise<User> {
    requireServer(caller, 'DeactivateUser');
    checkUserId(id, 'user_id');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const [user] = await this.deactivateIn(stores, [id], options, now);
      if (!user) throw notFound(`user "${id}" does not exist`);
      return user;
    });
  }

  /** Many users as a task; the work (at most 100 users) is done before answering, as for DeleteUsers. */
  async deactivateMany(caller: Caller, ids: readonly string[], options: DeactivateOptions): Promise<Task> {
    requireServer(caller, 'DeactivateUsers');
    checkIds(ids);
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const users = await this.deactivateIn(stores, ids, options, now);
      // A user deactivated before keeps its time: only those deactivated now count.
      const deactivated = users.filter((u) => u.deactivated_at === now).length;
      return this.completedTask(stores, 'deactivate-users', { deactivated_users: deactivated, user_ids: [...ids] }, now);
    });
  }

  async reactivate(caller: Caller, id: string, options: ReactivateOptions): Promise<User> {
    requireServer(caller, 'ReactivateUser');
    checkUserId(id, 'user_id');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const { users: [user] } = await this.reactivateIn(stores, [id], options, now);
      if (!user) throw notFound(`user "${id}" does not exist`);
      return user;
    });
  }

  async reactivateMany(caller: Caller, ids: readonly string[], options: ReactivateOptions): Promise<Task> {
    requireServer(caller, 'ReactivateUsers');
    checkIds(ids);
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      // A name is for one user; the many-users call has none.
      const { changed } = await this.reactivateIn(stores, ids, { ...options, name: undefined }, now);
      return this.completedTask(stores, 'reactivate-users', { reactivated_users: changed.size, user_ids: [...ids] }, now);
    });
  }

  /** Brings soft-deleted users back (Stream's restoreUsers); hard-deleted ones are gone. */
  async restore(caller: Caller, ids: readonly string[]): Promise<string[]> {
    requireServer(caller, 'RestoreUsers');
    checkIds(ids);
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction((stores) => stores.moderation.restoreUsers(ids, now));
  }

  /**
   * A guest user (Stream's POST /guest): role `guest`, the id asked for or a new one. A chat
   * client without a token (`anonymous`) may ask only when the app's guest_users_enabled is
   * on; a server-side call always may. An existing guest gets its details updated; any other
   * existing user is refused. The caller signs the user's token.
   */
  async createGuest(caller: Caller, input: Omit<UserInput, 'id'> & { id?: string }): Promise<User> {
    if (caller.kind !== 'server' && !(await this.deps.storage.settings.get()).guest_users_enabled) {
      throw notAllowed('guest users are not enabled for this app (PATCH /app {guest_users_enabled: true})');
    }
    const id = checkUserId(input.id ?? `guest-${this.deps.ids.next()}`, 'user.id');
    checkCustomData(input.custom, 'user', this.deps.customData);
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const [before] = await stores.users.batchGet([id]);
      if (before && (before.role !== 'guest' || before.deleted_at !== null || before.deactivated_at !== null)) {
        throw inputError(`user "${id}" already exists`, { id: 'taken' });
      }
      const user = upsertedUser({ ...input, id, role: 'guest' }, before, now, true);
      await stores.users.batchUpsert([user]);
      return user;
    });
  }

  async exportUser(caller: Caller, id: string): Promise<UserExport> {
    requireServer(caller, 'ExportUser');
    checkUserId(id, 'user_id');
    const storage = this.deps.storage;
    const [user] = await storage.users.batchGet([id]);
    if (!user) throw notFound(`user "${id}" does not exist`);
    const messages: Message[] = [];
    const ids = await storage.moderation.messageIdsOf(id, EXPORT_MAX_MESSAGES);
    for (let i = 0; i < ids.length; i += 500) messages.push(...(await storage.messages.byIds(ids.slice(i, i + 500))));
    const reactions = await storage.moderation.reactionsOf(id, EXPORT_MAX_REACTIONS);
    return { user, messages: messages.map((message) => ({ message, user })), reactions };
  }

  /**
   * A custom event to every connection of the user (Stream's SendUserCustomEvent), flattened
   * as Stream sends it. Not to webhooks: it is a message to the user's clients.
   */
  async sendCustomEvent(caller: Caller, id: string, event: { type: unknown; custom: Record<string, unknown> }): Promise<void> {
    requireServer(caller, 'SendUserCustomEvent');
    checkUserId(id, 'user_id');
    if (typeof event.type !== 'string' || event.type === '' || event.type.length > MAX_EVENT_TYPE_LENGTH) {
      throw inputError(`event.type is required, at most ${MAX_EVENT_TYPE_LENGTH} characters`, { type: 'required' });
    }
    checkCustomData(event.custom, 'event', this.deps.customData);
    const now = this.deps.clock.nowMicros();
    const type = event.type;
    // The event's own fields are not custom data.
    const fields = Object.fromEntries(Object.entries(event.custom).filter(([key]) => key !== 'type' && key !== 'created_at'));
    await this.deps.storage.transaction(async (stores) => {
      const [user] = await stores.users.batchGet([id]);
      if (!user || user.deleted_at !== null) throw notFound(`user "${id}" does not exist`);
      await publishChatEvents(this.deps, stores, [{ type, created_at: now, fields, notify: [id], webhook: false }]);
    });
  }

  /** Deactivates the users not deactivated yet (deleted ones are skipped); returns every user found. */
  private async deactivateIn(stores: Stores, ids: readonly string[], options: DeactivateOptions, now: Micros): Promise<User[]> {
    const users = await stores.users.batchGet(ids);
    const changed = new Set(await stores.moderation.setDeactivated(ids, now, now));
    if (changed.size > 0 && options.mark_messages_deleted) await stores.messages.batchDeleteByUsers([...changed], 'soft', now);
    const after = users.map((u) => (changed.has(u.id) ? { ...u, deactivated_at: now, updated_at: now } : u));
    const by = await this.createdBy(stores, options.created_by_id);
    await publishChatEvents(
      this.deps,
      stores,
      after.filter((u) => changed.has(u.id)).map((u): ChatEvent => ({
        type: 'user.deactivated',
        created_at: now,
        user: { id: u.id, user: u },
        ...(by && { users: { created_by: by } }),
        // Its open sessions hear of it, then end.
        notify: [u.id],
        disconnect: true,
      })),
    );
    return after.filter((u) => u.deleted_at === null);
  }

  /** Reactivates the deactivated users among `ids`; returns every user found (not deleted), and those it changed. */
  private async reactivateIn(stores: Stores, ids: readonly string[], options: ReactivateOptions, now: Micros): Promise<{ users: User[]; changed: Set<string> }> {
    const users = await stores.users.batchGet(ids);
    const changed = new Set(await stores.moderation.setDeactivated(ids, null, now));
    const after: User[] = [];
    for (const u of users.filter((user) => user.deleted_at === null)) {
      if (!changed.has(u.id)) {
        after.push(u);
        continue;
      }
      // Messages deleted with the deactivation carry its very time.
      if (options.restore_messages && u.deactivated_at !== null) await stores.moderation.restoreMessages(u.id, u.deactivated_at, now);
      const user = { ...u, deactivated_at: null, updated_at: now, ...(options.name !== undefined && { name: options.name }) };
      if (options.name !== undefined) await stores.users.batchUpsert([user]);
      after.push(user);
    }
    const by = await this.createdBy(stores, options.created_by_id);
    await publishChatEvents(
      this.deps,
      stores,
      after.filter((u) => changed.has(u.id)).map((u): ChatEvent => ({
        type: 'user.reactivated',
        created_at: now,
        user: { id: u.id, user: u },
        ...(by && { users: { created_by: by } }),
        notify: [u.id],
      })),
    );
    return { users: after, changed };
  }

  private async createdBy(stores: Stores, id: string | undefined): Promise<{ id: string; user: User | null } | null> {
    if (id === undefined) return null;
    checkUserId(id, 'created_by_id');
    const [user] = await stores.users.batchGet([id]);
    return { id, user: user ?? null };
  }

  private async completedTask(stores: Stores, type: string, result: Record<string, unknown>, now: Micros): Promise<Task> {
    const task: Task = { id: this.deps.ids.next(), type, status: TaskStatus.completed, result, error: null, created_at: now, updated_at: now };
    await stores.tasks.insert(task);
    return task;
  }
}

function checkIds(ids: readonly string[]): void {
  if (ids.length === 0) throw inputError('user_ids is a required field', { user_ids: 'required' });
  if (ids.length > MAX_USERS_PER_UPSERT) throw inputError(`at most ${MAX_USERS_PER_UPSERT} user_ids per request`, { user_ids: 'too many' });
  ids.forEach((id) => checkUserId(id, 'user_ids'));
}

import { checkCustomData } from '../domain/custom-data.js';
import { inputError, notFound } from '../domain/errors.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import { userFilterFields } from '../domain/filter/user-filter-fields.js';
import { TaskStatus, type Task } from '../domain/task.js';
import { applyPartialUpdate, checkUserId, upsertedUser, type User, type UserInput } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import { requireSelf, requireServer, type Caller } from './caller.js';

export const MAX_USERS_PER_UPSERT = 100;
export const MAX_QUERY_LIMIT = 100;
export const MAX_QUERY_OFFSET = 1000;

export interface UserQuery {
  filter_conditions: unknown;
  sort?: unknown;
  limit?: number;
  offset?: number;
  /** Stream leaves deactivated users out unless asked. */
  include_deactivated_users?: boolean;
}

export interface PartialUserUpdate {
  id: string;
  set?: Record<string, unknown>;
  unset?: string[];
}

export type DeleteMode = 'soft' | 'hard';

export class UsersService {
  constructor(private readonly deps: AppDeps) {}

  async upsert(caller: Caller, inputs: readonly UserInput[]): Promise<User[]> {
    if (inputs.length === 0) throw inputError('users is a required field', { users: 'required' });
    if (inputs.length > MAX_USERS_PER_UPSERT) {
      throw inputError(`at most ${MAX_USERS_PER_UPSERT} users per request`, { users: 'too many' });
    }
    for (const input of inputs) {
      checkUserId(input.id, 'users.id');
      requireSelf(caller, input.id, 'update users');
      checkCustomData(input.custom, `users.${input.id}`, this.deps.customData);
    }
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const existing = new Map((await stores.users.batchGet(inputs.map((u) => u.id))).map((u) => [u.id, u]));
      // One id under two keys: the later one wins, and the row is written once (PostgreSQL
      // refuses an upsert that names a row twice).
      const byId = new Map(inputs.map((input) => [input.id, upsertedUser(input, existing.get(input.id), now, caller.kind === 'server')]));
      const users = [...byId.values()];
      await stores.users.batchUpsert(users);
      return users;
    });
  }

  async partialUpdate(caller: Caller, updates: readonly PartialUserUpdate[]): Promise<User[]> {
    if (updates.length === 0) throw inputError('users is a required field', { users: 'required' });
    if (updates.length > MAX_USERS_PER_UPSERT) {
      throw inputError(`at most ${MAX_USERS_PER_UPSERT} users per request`, { users: 'too many' });
    }
    for (const update of updates) {
      checkUserId(update.id, 'users.id');
      requireSelf(caller, update.id, 'update users');
      if (caller.kind === 'user' && update.set && 'role' in update.set) {
        throw inputError('a user cannot change its own role', { role: 'not allowed' });
      }
      if (caller.kind === 'user' && update.set && 'revoke_tokens_issued_before' in update.set) {
        throw inputError('a user cannot revoke tokens; the app\'s backend does', { revoke_tokens_issued_before: 'not allowed' });
      }
    }
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const existing = new Map((await stores.users.batchGet(updates.map((u) => u.id))).map((u) => [u.id, u]));
      // Updates of the same user apply in order, each to the result of the one before, and the
      // user is written once (PostgreSQL refuses an upsert that names a row twice).
      for (const update of updates) {
        const user = existing.get(update.id);
        if (!user || user.deleted_at !== null) throw inputError(`user "${update.id}" does not exist`, { id: 'not found' });
        const updated = applyPartialUpdate(user, update.set ?? {}, update.unset ?? [], now);
        checkCustomData(updated.custom, `users.${update.id}.set`, this.deps.customData);
        existing.set(update.id, updated);
      }
      const users = [...new Set(updates.map((u) => u.id))].map((id) => existing.get(id)!);
      await stores.users.batchUpsert(users);
      return users;
    });
  }

  async query(caller: Caller, query: UserQuery): Promise<User[]> {
    if (query.filter_conditions === undefined) {
      throw inputError('filter_conditions is a required field', { filter_conditions: 'required' });
    }
    // A user token sees only its own user.
    const conditions =
      caller.kind === 'user' ? { $and: [query.filter_conditions, { id: caller.userId }] } : query.filter_conditions;
    const filter = parseFilter(conditions, userFilterFields);
    const limit = query.limit ?? 30;
    const offset = query.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_QUERY_LIMIT) {
      throw inputError(`limit must be between 0 and ${MAX_QUERY_LIMIT}`, { limit: 'out of range' });
    }
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_QUERY_OFFSET) {
      throw inputError(`offset must be between 0 and ${MAX_QUERY_OFFSET}`, { offset: 'out of range' });
    }
    const sort = parseSort(query.sort, userFilterFields);
    return this.deps.storage.users.query({ filter, sort, limit, offset, includeDeactivated: query.include_deactivated_users === true });
  }

  /** Deletes users and, with messages: 'hard', their messages; the task records the result. */
  async delete(caller: Caller, ids: readonly string[], mode: DeleteMode, messages?: DeleteMode): Promise<Task> {
    requireServer(caller, 'DeleteUsers');
    if (ids.length === 0) throw inputError('user_ids is a required field', { user_ids: 'required' });
    if (ids.length > MAX_USERS_PER_UPSERT) {
      throw inputError(`at most ${MAX_USERS_PER_UPSERT} user_ids per request`, { user_ids: 'too many' });
    }
    ids.forEach((id) => checkUserId(id, 'user_ids'));
    const now = this.deps.clock.nowMicros();
    // The work is small (≤100 users), so it is done before answering; the task is already
    // completed when the SDK first polls it, which Stream's polling loops accept.
    return this.deps.storage.transaction(async (stores) => {
      const deleted = await stores.users.batchDelete(ids, mode, now);
      if (messages) await stores.messages.batchDeleteByUsers(ids, messages, now);
      const task: Task = {
        id: this.deps.ids.next(),
        type: 'delete-users',
        status: TaskStatus.completed,
        result: { deleted_users: deleted, user_ids: [...ids], mode },
        error: null,
        created_at: now,
        updated_at: now,
      };
      await stores.tasks.insert(task);
      return task;
    });
  }

  async getTask(caller: Caller, id: string): Promise<Task> {
    requireServer(caller, 'GetTask');
    const task = await this.deps.storage.tasks.get(id);
    if (!task) throw notFound(`task "${id}" does not exist`);
    return task;
  }
}

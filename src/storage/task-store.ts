import type { Kysely } from 'kysely';
import type { TaskStore } from '../app/ports.js';
import type { Task, TaskStatus } from '../domain/task.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { Schema } from './schema.js';

export class KyselyTaskStore implements TaskStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(task: Task): Promise<void> {
    await this.db
      .insertInto('tasks')
      .values({ ...task, result: task.result === null ? null : JSON.stringify(task.result) })
      .execute();
  }

  async get(id: string): Promise<Task | undefined> {
    const row = await this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      ...row,
      status: row.status as TaskStatus,
      result: (this.caps.parseJson(row.result) as Record<string, unknown> | null) ?? null,
    };
  }
}

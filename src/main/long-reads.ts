import type { CompiledQuery } from 'kysely';
import type { Database, LongReads } from '../storage/database.js';
import { startThread, type MessagedThread } from './background-thread.js';
import type { ReadReply } from './read-thread.js';

// A thread and its connection cost ~10 MiB of RSS: started by the first long read, ended after
// a minute without one.
const IDLE_STOP_MS = 60_000;
// The statements' garbage is the SQL functions' strings (a distinct channel id a row), none of
// it surviving a collection.
const LIMITS = { maxYoungGenerationSizeMb: 4 };

/**
 * SQLite's long reads (storage/database.ts) on main/read-thread.ts. A thread that fails fails
 * the reads in flight, and the next read starts a new one.
 */
export class ThreadLongReads implements LongReads {
  private thread: MessagedThread | null = null;
  private readonly pending = new Map<number, { resolve: (row: Record<string, unknown> | undefined) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly file: string,
    private readonly onError: (error: Error) => void = () => {},
  ) {}

  first(query: CompiledQuery): Promise<Record<string, unknown> | undefined> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const thread = (this.thread ??= this.start());
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.post({ id, sql: query.sql, parameters: query.parameters });
    });
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const thread = this.thread;
    this.thread = null;
    await thread?.stop();
  }

  private start(): MessagedThread {
    const thread = startThread('read-thread', { file: this.file }, LIMITS, (error) => this.failed(thread, error), (message) => this.reply(message as ReadReply));
    return thread;
  }

  private reply(reply: ReadReply | 'stopped'): void {
    if (reply === 'stopped') return;
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if ('error' in reply) waiting.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    else waiting.resolve(reply.row);
    if (this.pending.size === 0) {
      this.idleTimer = setTimeout(() => void this.stop(), IDLE_STOP_MS);
      this.idleTimer.unref();
    }
  }

  private failed(thread: MessagedThread, error: Error): void {
    if (this.thread === thread) this.thread = null;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.onError(error);
  }
}

/** `database` with its long reads on a thread of their own on SQLite; as it is on PostgreSQL, which needs none. */
export function withLongReadThread(database: Database, onError?: (error: Error) => void): { database: Database; longReads?: ThreadLongReads } {
  if (!database.sqlite) return { database };
  const longReads = new ThreadLongReads(database.location, onError);
  return { database: { ...database, longReads }, longReads };
}

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ConnectUserService } from '../app/connect-user.js';
import { authError } from '../app/tokens.js';
import { ErrorCode, HeraldError } from '../domain/errors.js';
import { healthCheck } from '../wire/chat-events.js';
import { parseConnectPayload } from './client-auth.js';
import { newConnectionId, type Connection, type ConnectionRegistry } from './connections.js';

export interface LongPollDeps {
  connectUser: ConnectUserService;
  connections: ConnectionRegistry;
  nowMicros: () => number;
}

// The client waits 30 s for a poll (connection_fallback.ts `_poll`); Stream answers within 20.
export const POLL_WAIT_MS = 20_000;
// A session nobody polls for a minute is gone (the client polls again at once after each answer).
const ABANDONED_MS = 60_000;
// Events kept between two polls. Past that the session is dropped: its next poll gets code 46,
// and the client connects anew and queries its channels again, which loses nothing.
const BUFFERED_EVENTS = 500;

class LongPollConnection implements Connection {
  readonly watching = new Set<string>();
  private buffer: string[] = [];
  private waiter: (() => void) | null = null;
  private readonly abandoned: NodeJS.Timeout;
  closed = false;

  constructor(
    readonly id: string,
    readonly userId: string,
    private readonly onClose: (connection: LongPollConnection) => void,
  ) {
    this.abandoned = setTimeout(() => this.close(), ABANDONED_MS);
  }

  // A session's frames wait in its buffer for the next poll anyway.
  cork(): void {}
  uncork(): void {}

  send(frame: string): void {
    if (this.closed) return;
    if (this.buffer.length >= BUFFERED_EVENTS) {
      this.close();
      return;
    }
    this.buffer.push(frame);
    this.waiter?.();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.abandoned);
    this.waiter?.();
    this.onClose(this);
  }

  /** The events waiting, or those that arrive within `waitMs`, as one JSON array's items. */
  async poll(waitMs: number, aborted: AbortSignal): Promise<string[]> {
    this.abandoned.refresh();
    if (this.buffer.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        aborted.addEventListener('abort', done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiter = done;
      });
      this.waiter = null;
    }
    this.abandoned.refresh();
    const frames = this.buffer;
    this.buffer = [];
    return frames;
  }
}

const PollQuery = Type.Object(
  {
    connection_id: Type.Optional(Type.String()),
    json: Type.Optional(Type.String()),
    close: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const connectionNotFound = () =>
  new HeraldError(ErrorCode.connectionIdNotFound, 'connection_id is not known to this server: connect again');

/**
 * `GET /longpoll`, stream-chat's fallback when WebSockets fail (`enableWSFallback`,
 * connection_fallback.ts). Without `connection_id` the call connects, as `/connect` does, and
 * answers `{event: health.check}` at once; with it, the call waits up to 20 s for events and
 * answers `{events: [...]}`; `close=true` ends the session. Runs behind REST auth: the user's
 * token comes in the Authorization header.
 */
export function longPollRoutes(app: FastifyInstance, deps: LongPollDeps): void {
  app.get('/longpoll', { schema: { querystring: PollQuery, operationId: 'LongPoll', tags: ['realtime'] } }, async (request, reply) => {
    const query = request.query as { connection_id?: string; json?: string; close?: string };
    const caller = request.caller;
    if (caller.kind !== 'user') throw authError(ErrorCode.authentication, 'a chat connection needs a user token, not a server token');

    if (query.close === 'true') {
      const connection = query.connection_id ? deps.connections.get(query.connection_id) : undefined;
      if (connection?.userId === caller.userId) connection.close(1000, 'closed by the client');
      return {};
    }

    if (!query.connection_id) {
      const { user_id, user_details } = parseConnectPayload(query.json);
      if (user_id !== caller.userId) throw authError(ErrorCode.authentication, `the token is for user "${caller.userId}", not "${user_id}"`);
      const me = await deps.connectUser.connect(user_id, user_details, caller.issuedAt);
      const connection = new LongPollConnection(newConnectionId(), me.user.id, (c) => deps.connections.remove(c));
      deps.connections.add(connection);
      return { event: healthCheck(connection.id, deps.nowMicros(), me) };
    }

    const connection = deps.connections.get(query.connection_id);
    if (!(connection instanceof LongPollConnection) || connection.userId !== caller.userId || connection.closed) throw connectionNotFound();
    const aborted = new AbortController();
    reply.raw.on('close', () => aborted.abort());
    const frames = await connection.poll(POLL_WAIT_MS, aborted.signal);
    return reply.type('application/json; charset=utf-8').send(`{"events":[${frames.join(',')}]}`);
  });
}

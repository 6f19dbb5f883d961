import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ConnectUserService } from '../app/connect-user.js';
import type { TokenVerifier } from '../app/tokens.js';
import { ErrorCode, HeraldError } from '../domain/errors.js';
import { healthCheck } from '../wire/chat-events.js';
import { authenticateClient } from './client-auth.js';
import { newConnectionId, type Connection, type ConnectionRegistry } from './connections.js';

export interface GatewayDeps {
  tokens: TokenVerifier;
  connectUser: ConnectUserService;
  connections: ConnectionRegistry;
  nowMicros: () => number;
}

// The client pings 25 s after each health check it gets (connection.ts pingInterval) and
// gives up on a silent socket after 35 s: 70 s without a frame is a dead client.
export const IDLE_CLOSE_MS = 70_000;
// Not 1000: stream-chat treats 1000 as final and would not reconnect after a deploy.
export const CLOSE_GOING_AWAY = 1001;
const CLOSE_FINAL = 1000;
const CLOSE_INTERNAL_ERROR = 1011;
// 1013, "try again later": a client that reads slower than events come is dropped once 4 MiB
// wait for it; it reconnects and recovers its channels by querying them.
const CLOSE_TRY_AGAIN = 1013;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Stream's status for an auth error code, for the error frame. */
const statusOf = (code: number) => (code === ErrorCode.input ? 400 : 401);

class SocketConnection implements Connection {
  readonly watching = new Set<string>();

  constructor(
    readonly id: string,
    readonly userId: string,
    private readonly socket: WebSocket,
  ) {}

  send(frame: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.close(CLOSE_TRY_AGAIN, 'too many events waiting');
      return;
    }
    this.socket.send(frame);
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }
}

/**
 * `GET /connect`, the WebSocket of stream-chat's `connectUser` (connection.ts `_buildUrl`):
 * auth rides in the query (`api_key`, `authorization`, `json`). A bad one is never refused at
 * the upgrade, which the client would retry forever: the socket opens, gets one error frame
 * in Stream's shape and is closed with 1000, which the client takes as final.
 */
export function gatewayRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  async function open(socket: WebSocket, request: FastifyRequest): Promise<void> {
    const query = request.query as Record<string, unknown>;
    const me = await authenticateClient(deps.tokens, deps.connectUser, { apiKey: query.api_key, token: query.authorization, json: query.json });
    if (socket.readyState !== socket.OPEN) return;
    const connection = new SocketConnection(newConnectionId(), me.user.id, socket);
    deps.connections.add(connection);
    const idle = setTimeout(() => socket.close(CLOSE_GOING_AWAY, 'no frame for 70 s'), IDLE_CLOSE_MS);
    socket.on('close', () => {
      clearTimeout(idle);
      deps.connections.remove(connection);
    });
    socket.on('message', (data) => {
      idle.refresh();
      let frames: unknown;
      try {
        frames = JSON.parse(String(data));
      } catch {
        return;
      }
      // The client's ping: [{type: 'health.check', client_id}], answered with a health check.
      if (Array.isArray(frames) && frames.some((f) => (f as { type?: unknown })?.type === 'health.check')) {
        connection.send(JSON.stringify(healthCheck(connection.id, deps.nowMicros())));
      }
    });
    connection.send(JSON.stringify(healthCheck(connection.id, deps.nowMicros(), me)));
  }

  app.get('/connect', { websocket: true }, (socket: WebSocket, request: FastifyRequest) => {
    open(socket, request).catch((error: unknown) => {
      if (socket.readyState !== socket.OPEN) return;
      if (!(error instanceof HeraldError)) {
        // Not the client's fault (the database is away, say): 1011, and the client retries.
        request.log.error({ err: error }, 'chat connection failed');
        socket.close(CLOSE_INTERNAL_ERROR, 'internal server error');
        return;
      }
      const { code, message } = error;
      socket.send(JSON.stringify({ error: { code, message: `WS failed with error: "${message}"`, StatusCode: statusOf(code), duration: '0', more_info: '' } }));
      socket.close(CLOSE_FINAL, message.slice(0, 120));
    });
  });
}

import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
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
  logger: { error(details: object, message: string): void };
}

// The client pings 25 s after each health check it gets (connection.ts pingInterval) and
// gives up on a silent socket after 35 s: 70 s without a frame is a dead client.
export const IDLE_CLOSE_MS = 70_000;
const IDLE_SWEEP_MS = 5000;
// Not 1000: stream-chat treats 1000 as final and would not reconnect after a deploy.
export const CLOSE_GOING_AWAY = 1001;
const CLOSE_FINAL = 1000;
const CLOSE_INTERNAL_ERROR = 1011;
// 1013, "try again later": a client that reads slower than events come is dropped once 4 MiB
// wait for it; it reconnects and recovers its channels by querying them.
const CLOSE_TRY_AGAIN = 1013;
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
// A client sends pings and nothing else; 64 KiB is plenty.
const MAX_FRAME_BYTES = 64 * 1024;

/** Stream's status for an auth error code, for the error frame. */
const statusOf = (code: number) => (code === ErrorCode.input ? 400 : code === ErrorCode.notAllowed ? 403 : 401);

class SocketConnection implements Connection {
  readonly watching = new Set<string>();
  lastFrameAt = Date.now();

  constructor(
    readonly id: string,
    readonly userId: string,
    private readonly socket: WebSocket,
    /** The TCP socket under the WebSocket. */
    private readonly tcp: Socket,
  ) {}

  cork(): void {
    this.tcp.cork();
  }

  uncork(): void {
    this.tcp.uncork();
  }

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
 *
 * Served by `ws` on the HTTP server's upgrade event rather than through a Fastify plugin: a
 * connection then holds no request and reply objects (5.0 → 2.5 KiB of heap per idle
 * connection, measured with 10,000). Returns `close()` for shutdown.
 */
export function attachGateway(server: Server, deps: GatewayDeps): { close(): void } {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const live = new Set<SocketConnection>();

  async function open(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const query = new URL(request.url ?? '/', 'http://herald').searchParams;
    const me = await authenticateClient(deps.tokens, deps.connectUser, {
      apiKey: query.get('api_key'),
      token: query.get('authorization'),
      json: query.get('json'),
    });
    if (socket.readyState !== socket.OPEN) return;
    const connection = new SocketConnection(newConnectionId(), me.user.id, socket, request.socket);
    deps.connections.add(connection);
    live.add(connection);
    socket.on('close', () => {
      live.delete(connection);
      deps.connections.remove(connection);
    });
    socket.on('message', (data) => {
      connection.lastFrameAt = Date.now();
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

  function refuse(socket: WebSocket, request: IncomingMessage, error: unknown): void {
    if (socket.readyState !== socket.OPEN) return;
    if (!(error instanceof HeraldError)) {
      // Not the client's fault (the database is away, say): 1011, and the client retries.
      deps.logger.error({ err: error, url: request.url?.split('?')[0] }, 'chat connection failed');
      socket.close(CLOSE_INTERNAL_ERROR, 'internal server error');
      return;
    }
    const { code, message } = error;
    socket.send(JSON.stringify({ error: { code, message: `WS failed with error: "${message}"`, StatusCode: statusOf(code), duration: '0', more_info: '' } }));
    socket.close(CLOSE_FINAL, message.slice(0, 120));
  }

  server.on('upgrade', (request: IncomingMessage, tcp: Socket, head: Buffer) => {
    const path = (request.url ?? '').split('?')[0].replace(/\/+$/, '');
    if (path !== '/connect') {
      tcp.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, tcp, head, (socket) => {
      open(socket, request).catch((error: unknown) => refuse(socket, request, error));
    });
  });

  // One sweep instead of a timer per connection.
  const sweep = setInterval(() => {
    const silentSince = Date.now() - IDLE_CLOSE_MS;
    for (const connection of live) if (connection.lastFrameAt < silentSince) connection.close(CLOSE_GOING_AWAY, 'no frame for 70 s');
  }, IDLE_SWEEP_MS);
  sweep.unref();

  return {
    close() {
      clearInterval(sweep);
      for (const connection of live) connection.close(CLOSE_GOING_AWAY, 'server shutting down');
      sockets.close();
    },
  };
}

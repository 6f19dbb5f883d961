import type {} from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ConnectUserService } from '../app/connect-user.js';
import { authError, verifyToken } from '../app/tokens.js';
import { ErrorCode, HeraldError } from '../domain/errors.js';
import { legacyWire } from '../wire/wire-encoder.js';
import type { Connection, ConnectionRegistry } from './connections.js';

export interface GatewayDeps {
  apiKey: string;
  apiSecret: string;
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

/** Stream's status for an auth error code, for the error frame. */
const statusOf = (code: number) => (code === ErrorCode.internal ? 500 : code === ErrorCode.input ? 400 : 401);

function parseConnectPayload(raw: unknown): { user_id: string; user_details: Record<string, unknown> } {
  let payload: unknown;
  try {
    payload = typeof raw === 'string' ? JSON.parse(raw) : undefined;
  } catch {
    // the error below
  }
  const p = payload as { user_id?: unknown; user_details?: unknown } | undefined;
  if (!p || typeof p.user_id !== 'string') throw authError(ErrorCode.input, 'the json query parameter must carry a user_id');
  const details = p.user_details && typeof p.user_details === 'object' && !Array.isArray(p.user_details) ? p.user_details : {};
  return { user_id: p.user_id, user_details: details as Record<string, unknown> };
}

/**
 * `GET /connect`, the WebSocket of stream-chat's `connectUser` (connection.ts `_buildUrl`):
 * auth rides in the query (`api_key`, `authorization`, `json`). A bad one is never refused at
 * the upgrade, which the client would retry forever: the socket opens, gets one error frame
 * in Stream's shape and is closed with 1000, which the client takes as final.
 */
export function gatewayRoutes(app: FastifyInstance, deps: GatewayDeps): void {
  const secret = new TextEncoder().encode(deps.apiSecret);
  const frame = (socket: WebSocket, body: object) => socket.send(JSON.stringify(body));
  const healthCheck = (connection: Connection, extra: object = {}) =>
    frame(connection.socket, { type: 'health.check', connection_id: connection.id, cid: '*', created_at: legacyWire.time(deps.nowMicros()), ...extra });

  async function open(socket: WebSocket, request: FastifyRequest): Promise<void> {
    const query = request.query as Record<string, unknown>;
    if (typeof query.api_key !== 'string' || query.api_key === '') throw authError(ErrorCode.apiKey, 'api_key or app_id not provided');
    if (query.api_key !== deps.apiKey) throw authError(ErrorCode.apiKey, 'api_key not valid');
    const caller = await verifyToken(String(query.authorization ?? ''), secret);
    const { user_id, user_details } = parseConnectPayload(query.json);
    if (caller.kind !== 'user') throw authError(ErrorCode.authentication, 'a chat connection needs a user token, not a server token');
    if (caller.userId !== user_id) throw authError(ErrorCode.authentication, `the token is for user "${caller.userId}", not "${user_id}"`);
    const { user, unread } = await deps.connectUser.connect(user_id, user_details);
    if (socket.readyState !== socket.OPEN) return;
    const connection = deps.connections.add(user.id, socket);
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
      if (Array.isArray(frames) && frames.some((f) => (f as { type?: unknown })?.type === 'health.check')) healthCheck(connection);
    });
    healthCheck(connection, {
      me: {
        ...legacyWire.user(user),
        // Arrays, never null: the client iterates them on every health check.
        devices: [], mutes: [], channel_mutes: [], blocked_user_ids: [],
        total_unread_count: unread.messages, unread_count: unread.messages, unread_channels: unread.channels, unread_threads: 0,
      },
    });
  }

  app.get('/connect', { websocket: true }, (socket: WebSocket, request: FastifyRequest) => {
    open(socket, request).catch((error: unknown) => {
      const known = error instanceof HeraldError;
      if (!known) request.log.error({ err: error }, 'chat connection failed');
      const code = known ? error.code : ErrorCode.internal;
      const message = known ? error.message : 'internal server error';
      if (socket.readyState === socket.OPEN) {
        frame(socket, { error: { code, message: `WS failed with error: "${message}"`, StatusCode: statusOf(code), duration: '0', more_info: '' } });
        socket.close(CLOSE_FINAL, message.slice(0, 120));
      }
    });
  });
}

import type { ConnectedUser, ConnectUserService } from '../app/connect-user.js';
import { authError, type TokenVerifier } from '../app/tokens.js';
import { ErrorCode } from '../domain/errors.js';

/** What a chat client sends to open a connection (client.ts `_buildWSPayload`). */
export interface ConnectRequest {
  apiKey: unknown;
  /** The user's JWT, raw. */
  token: unknown;
  /** The `json` query parameter: `{user_id, user_details, device, client_request_id}`. */
  json: unknown;
}

export function parseConnectPayload(raw: unknown): { user_id: string; user_details: Record<string, unknown> } {
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
 * Authenticates a chat client, WebSocket or long-poll alike: the app's key, a user token for
 * the user it names, then `connectUser`'s upsert of the user's details.
 */
export async function authenticateClient(tokens: TokenVerifier, connectUser: ConnectUserService, request: ConnectRequest): Promise<ConnectedUser> {
  tokens.checkApiKey(request.apiKey);
  const caller = await tokens.verify(typeof request.token === 'string' ? request.token : '');
  const { user_id, user_details } = parseConnectPayload(request.json);
  if (caller.kind !== 'user') throw authError(ErrorCode.authentication, 'a chat connection needs a user token, not a server token');
  if (caller.userId !== user_id) throw authError(ErrorCode.authentication, `the token is for user "${caller.userId}", not "${user_id}"`);
  return connectUser.connect(user_id, user_details, caller.issuedAt);
}

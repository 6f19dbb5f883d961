import { StreamChat, type Event } from 'stream-chat';
import { TEST_API_KEY } from './herald-server.js';
import { signToken } from './tokens.js';
import { waitFor } from './waiting.js';

/** A connected, unmodified stream-chat client and every event it received. */
export interface ChatClient {
  userId: string;
  client: StreamChat;
  events: Event[];
  /** The events of these types, in arrival order. */
  of(...types: string[]): Event[];
  /** Waits until `count` events of the type arrived (more are kept, for the caller to check). */
  waitFor(type: string, count?: number, timeoutMs?: number): Promise<Event[]>;
}

export interface ClientOptions {
  /** Forces stream-chat's long-poll fallback: its WebSocket URL points at a closed port. */
  longPoll?: boolean;
  token?: string;
}

/** A user's chat client on `baseURL`, connected with `connectUser` and a user token. */
export async function connectClient(baseURL: string, userId: string, options: ClientOptions = {}): Promise<ChatClient> {
  const client = new StreamChat(TEST_API_KEY, {
    baseURL,
    allowServerSideConnect: true,
    enableWSFallback: options.longPoll,
    timeout: 15_000,
    logger: () => {},
  });
  if (options.longPoll) {
    client.wsBaseURL = 'ws://127.0.0.1:9';
    client.defaultWSTimeoutWithFallback = 1000;
  }
  const events: Event[] = [];
  client.on((event) => {
    events.push(event);
  });
  await client.connectUser({ id: userId }, options.token ?? signToken({ user_id: userId }));
  const of = (...types: string[]) => events.filter((e) => types.includes(e.type));
  return {
    userId,
    client,
    events,
    of,
    waitFor: (type, count = 1, timeoutMs = 20_000) =>
      waitFor(`${count} ${type} event(s) for ${userId}`, async () => of(type).length >= count && of(type), timeoutMs),
  };
}

/** Connects many clients, a few at a time. */
export async function connectClients(baseURL: string, userIds: readonly string[], options: ClientOptions = {}): Promise<ChatClient[]> {
  const clients: ChatClient[] = [];
  for (let i = 0; i < userIds.length; i += 10) {
    clients.push(...(await Promise.all(userIds.slice(i, i + 10).map((id) => connectClient(baseURL, id, options)))));
  }
  return clients;
}

export async function disconnectAll(clients: readonly ChatClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.client.disconnectUser()));
}

import { TokenIssuer } from '../app/token-issuer.js';
import { systemClock } from '../domain/clock.js';
import { dashboardLink } from '../main/dashboard-link.js';
import { CliExit, credentialsOrThrow, expectPositionals, parseCommand, UsageError, type CommandContext } from './cli-command.js';
import { isoTime, jsonLine, timeText } from './cli-output.js';

const DEFAULT_EXPIRES = '24h';
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `herald token USER_ID [--expires 24h]`: a user token for a chat client, signed with the secret
 * the server verifies with. Only the token goes to stdout, so that `$(herald token ann)` works.
 */
export async function tokenCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { expires: { type: 'string' } });
  const [userId] = expectPositionals(positionals, ['user_id'], 'token');
  const ttlSeconds = parseDuration(values.expires ?? DEFAULT_EXPIRES);
  const { apiSecret } = credentialsOrThrow(ctx.config);
  const { token, expiresAt } = await new TokenIssuer(apiSecret, systemClock).userToken(userId, ttlSeconds);
  if (values.json) {
    ctx.io.stdout.write(jsonLine({ user_id: userId, token, expires_at: isoTime(expiresAt) }));
  } else {
    ctx.io.stdout.write(`${token}\n`);
    ctx.io.stderr.write(`user token for "${userId}", valid until ${timeText(expiresAt)}\n`);
  }
  return CliExit.ok;
}

/**
 * `herald dashboard-link [--host H] [--port P]`: the console's sign-in link, for the address the
 * server listens on (HOST and PORT) unless told otherwise.
 */
export async function dashboardLinkCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { host: { type: 'string' }, port: { type: 'string' } });
  expectPositionals(positionals, [], 'dashboard-link');
  const port = values.port === undefined ? ctx.config.port : Number(values.port);
  if (values.port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new UsageError('--port must be an integer from 1 to 65535');
  }
  if (values.host === '') throw new UsageError('--host must not be empty');
  const link = await dashboardLink(credentialsOrThrow(ctx.config), { host: values.host ?? ctx.config.host, port });
  if (values.json) {
    ctx.io.stdout.write(jsonLine({ url: link.url, expires_at: isoTime(link.expiresAt) }));
  } else {
    ctx.io.stdout.write(`${link.url}\n`);
    ctx.io.stderr.write(`valid until ${timeText(link.expiresAt)}; the link signs in as the server: share it with no one\n`);
  }
  return CliExit.ok;
}

/** 90s, 30m, 24h, 7d. */
function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]] : 0;
  if (!(seconds > 0)) throw new UsageError(`--expires must be a duration such as 30m, 24h or 7d, not "${text}"`);
  return seconds;
}

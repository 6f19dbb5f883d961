import type { Readable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Config } from '../config/config.js';
import { readCredentials, type Credentials } from '../config/credentials.js';
import type { Herald } from '../main/compose.js';

/** Exit statuses of every `herald` command (README, CLI). */
export const CliExit = {
  ok: 0,
  /** An error: unknown campaign, a refused start or stop, an unreachable database. */
  failed: 1,
  usage: 2,
  /** `import users`: done, but some lines were skipped. */
  linesSkipped: 3,
  /** `campaigns watch`: the campaign stopped instead of completing. */
  stopped: 4,
} as const;

/** A bad command line: printed with the usage text, exit status 2. */
export class UsageError extends Error {}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: Readable;
}

export interface CommandContext {
  config: Config;
  io: CliIo;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs for one command's options (plus --json); its errors become usage errors. */
export function parseCommand<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options: { ...options, json: { type: 'boolean' } } as O & { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function expectPositionals(positionals: string[], names: string[], command: string): string[] {
  if (positionals.length !== names.length) {
    throw new UsageError(`${command} takes ${names.length === 0 ? 'no arguments' : names.map((n) => n.toUpperCase()).join(' ')}`);
  }
  return positionals;
}

export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer`);
  return n;
}

/** Herald on the server's database for the length of `work`, closed whatever happens. */
export async function withHerald<T>(config: Config, work: (herald: Herald) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: storage and HTTP take a second to load, which `token`,
  // `dashboard-link` and `--help` need not wait for.
  const { openHerald } = await import('../main/open-herald.js');
  const opened = await openHerald(config);
  try {
    return await work(opened.herald);
  } finally {
    await opened.close();
  }
}

/** The credentials the server signs and checks with; the CLI never generates them. */
export function credentialsOrThrow(config: Config): Credentials {
  const found = readCredentials(config.dataDir, config);
  if (found) return found;
  throw new Error(
    `no API credentials: set HERALD_API_KEY and HERALD_API_SECRET as the server has them, or start the server once ` +
      `to generate them in ${config.dataDir}/credentials.json (HERALD_DATA_DIR)`,
  );
}

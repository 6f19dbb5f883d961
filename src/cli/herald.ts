import { DEFAULT_IMPORT_BATCH_SIZE } from '../app/user-import.js';
import { loadConfig, type Config } from '../config/config.js';
import { campaignsCommand } from './campaigns-command.js';
import { CliExit, UsageError, type CommandContext } from './cli-command.js';
import { importCommand } from './import-users-command.js';
import { segmentsCommand } from './segments-command.js';
import { dashboardLinkCommand, tokenCommand } from './token-command.js';

const USAGE = `Usage: herald <command> [options]

Every command works on the database the server uses (DATABASE_URL when set, else
HERALD_DATA_DIR/herald.db, default ./data), with no server running, and signs tokens with
the server's credentials (HERALD_API_KEY/HERALD_API_SECRET, or those it generated in the
data directory). --json prints JSON instead of text.

Commands:
  campaigns list [--status S] [--limit N]
                        Newest campaigns (default 25): id, name, status, targets done/total,
                        progress, created. S: draft, scheduled, in_progress, stopped, completed.
  campaigns watch ID [--interval SECONDS]
                        Follow a send: a progress bar with rate and ETA, redrawn in place on a
                        terminal (a line every 5 s otherwise; --json: a JSON line a tick) until
                        the campaign completes (exit 0) or stops (exit 4).
  campaigns start ID    Start a draft or stopped campaign (as POST /campaigns/ID/start).
  campaigns stop ID     Stop a scheduled or sending campaign (as POST /campaigns/ID/stop).
  segments list         Every segment: id, type, name, size, when the size was computed.
  token USER_ID [--expires 24h]
                        A user token for a chat client (connectUser); durations: 90s, 30m,
                        24h, 7d.
  dashboard-link [--host H] [--port P]
                        The dashboard's sign-in link (a server token valid 12 h, and the API
                        key, in the URL fragment); H and P default to HOST and PORT.
  import users FILE [--batch-size N]
                        Import users from NDJSON (one user per line; '-' reads stdin), N per
                        transaction (default ${DEFAULT_IMPORT_BATCH_SIZE}). Each line is a user as Stream exports
                        it: {"id":"u1","name":"Ann","teams":["a"],"country":"NL"}; other keys
                        (and a nested "custom" object) are custom data. Bad lines are reported
                        as "line N: reason" and skipped; if an id appears twice, the last line
                        wins. Every batch commits whole, so an interrupted import can simply be
                        run again.

Options:
  --json                JSON output (campaigns, segments, token, dashboard-link)
  -h, --help            Show this help

Exit status: 0 done; 1 failed (unknown campaign, a refused start or stop, database
unreachable, no credentials); 2 usage error; 3 import done but some lines skipped;
4 the watched campaign stopped instead of completing.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return CliExit.ok;
  }
  // Read when a command needs it, so that a usage error is reported as one even under a bad env.
  let config: Config | undefined;
  const ctx: CommandContext = {
    get config() {
      return (config ??= loadConfig());
    },
    io: process,
  };
  switch (command) {
    case 'campaigns':
      return campaignsCommand(rest, ctx);
    case 'segments':
      return segmentsCommand(rest, ctx);
    case 'token':
      return tokenCommand(rest, ctx);
    case 'dashboard-link':
      return dashboardLinkCommand(rest, ctx);
    case 'import':
      return importCommand(rest, ctx);
    default:
      throw new UsageError(`unknown command: ${argv.join(' ')}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`herald: ${error.message}\n\n${USAGE}`);
      process.exitCode = CliExit.usage;
      return;
    }
    process.stderr.write(`herald: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = CliExit.failed;
  },
);

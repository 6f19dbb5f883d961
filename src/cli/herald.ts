import { parseArgs } from 'node:util';
import { DEFAULT_IMPORT_BATCH_SIZE } from '../app/user-import.js';
import { loadConfig } from '../config/config.js';
import { ImportExit, importUsersCommand } from './import-users-command.js';

const USAGE = `Usage: herald <command> [options]

Commands:
  import users FILE     Import users from NDJSON (one user per line; '-' reads stdin)
                        into the database the server uses: DATABASE_URL when set,
                        else HERALD_DATA_DIR/herald.db (default ./data).

Options:
  --batch-size N        Users per transaction (default ${DEFAULT_IMPORT_BATCH_SIZE})
  -h, --help            Show this help

Each line is a user as Stream exports it: {"id":"u1","name":"Ann","teams":["a"],"country":"NL"};
keys that are not user fields are custom data, as is a nested "custom" object. Bad lines
are reported as "line N: reason" and skipped; if an id appears twice, the last line wins.
Every batch commits whole, so an interrupted import can simply be run again.

Exit status: 0 all lines imported, 3 done but some lines skipped, 1 failed, 2 usage error.
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { help: { type: 'boolean', short: 'h' }, 'batch-size': { type: 'string' } },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === 'help') {
    process.stdout.write(USAGE);
    return ImportExit.ok;
  }
  const [command, resource, file, ...extra] = positionals;
  if (command !== 'import' || resource !== 'users') return usageError(`unknown command: ${positionals.join(' ') || '(none)'}`);
  if (file === undefined || extra.length > 0) return usageError('import users takes exactly one FILE (or - for stdin)');
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1)) {
    return usageError('--batch-size must be a positive integer');
  }
  const config = loadConfig();
  return importUsersCommand(config, { file, batchSize }, process);
}

function usageError(message: string): number {
  process.stderr.write(`herald: ${message}\n\n${USAGE}`);
  return ImportExit.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`herald: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ImportExit.failed;
  },
);

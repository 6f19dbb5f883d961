import { createReadStream, fstatSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { importUsers } from '../app/user-import.js';
import type { Config } from '../config/config.js';
import type { OpenedHerald } from '../main/open-herald.js';
import { CliExit, parseCommand, positiveInteger, UsageError, type CliIo, type CommandContext } from './cli-command.js';
import { progressReporter } from './progress.js';

/** Bad lines printed in full; the rest are counted (the import keeps up to 1,000). */
const PRINTED_ERRORS = 20;

export interface ImportUsersArgs {
  /** A path, or '-' for stdin. */
  file: string;
  batchSize?: number;
}

/** `herald import users FILE [--batch-size N]`. */
export async function importCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { 'batch-size': { type: 'string' } });
  if (positionals[0] !== 'users') throw new UsageError(`unknown command: import ${positionals.join(' ')}`.trim());
  const [, file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('import users takes exactly one FILE (or - for stdin)');
  return importUsersCommand(ctx.config, { file, batchSize: positiveInteger(values['batch-size'], 'batch-size') }, ctx.io);
}

/**
 * `herald import users FILE`: streams NDJSON into the configured database, opened as the
 * server opens it (main/open-herald.ts), migrations included.
 */
export async function importUsersCommand(config: Config, args: ImportUsersArgs, io: CliIo): Promise<number> {
  const source = openSource(args.file, io.stdin);
  let opened: OpenedHerald | undefined;
  try {
    // Loaded on use, as in withHerald (cli-command.ts).
    const { openHerald } = await import('../main/open-herald.js');
    opened = await openHerald(config);
    const { deps } = opened.herald;
    io.stderr.write(`importing users from ${args.file === '-' ? 'stdin' : args.file} into ${opened.where}\n`);
    const progress = progressReporter(io.stderr, source.totalBytes);
    const startedMs = performance.now();
    const lines = createInterface({ input: source.stream, crlfDelay: Infinity });
    const result = await importUsers(deps.storage, deps.clock, lines, {
      batchSize: args.batchSize,
      customData: deps.customData,
      onProgress: (p) => progress.update({ ...p, bytes: source.bytesRead() }),
    }).finally(() => progress.finish());
    // A million new users change the best plans for segment filters: tell the planner.
    await opened.herald.refreshStatistics();
    const seconds = (performance.now() - startedMs) / 1000;

    for (const error of result.errors.slice(0, PRINTED_ERRORS)) io.stderr.write(`line ${error.line}: ${error.message}\n`);
    const unprinted = result.skipped - Math.min(result.errors.length, PRINTED_ERRORS);
    if (unprinted > 0) io.stderr.write(`… and ${fmt(unprinted)} more bad lines\n`);
    io.stdout.write(`imported ${fmt(result.imported)} users, skipped ${fmt(result.skipped)} lines in ${seconds.toFixed(1)}s\n`);
    return result.skipped > 0 ? CliExit.linesSkipped : CliExit.ok;
  } finally {
    source.stream.destroy();
    await opened?.close();
  }
}

interface Source {
  stream: Readable;
  /** Size when the input is a regular file; null for a pipe, whose end is unknown. */
  totalBytes: number | null;
  bytesRead(): number;
}

function openSource(file: string, stdin: Readable): Source {
  if (file === '-') {
    const counted = stdin as Readable & { bytesRead?: number };
    return { stream: stdin, totalBytes: stdinFileSize(), bytesRead: () => counted.bytesRead ?? 0 };
  }
  // stat first: a missing file becomes one clear message before the database is opened.
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) throw new Error(`cannot read ${file}: no such file`);
  if (!stat.isFile()) throw new Error(`cannot read ${file}: not a file`);
  const stream = createReadStream(file);
  return { stream, totalBytes: stat.size, bytesRead: () => stream.bytesRead };
}

/** `herald import users - < users.ndjson` has a known size; a pipe does not. */
function stdinFileSize(): number | null {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

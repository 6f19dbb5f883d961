import { createReadStream, fstatSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { importUsers } from '../app/user-import.js';
import type { Config } from '../config/config.js';
import { openHerald } from '../main/open-herald.js';
import { progressReporter } from './progress.js';

/** Bad lines printed in full; the rest are counted (the import keeps up to 1,000). */
const PRINTED_ERRORS = 20;

export const ImportExit = { ok: 0, failed: 1, usage: 2, linesSkipped: 3 } as const;

export interface ImportUsersArgs {
  /** A path, or '-' for stdin. */
  file: string;
  batchSize?: number;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: Readable;
}

/**
 * `herald import users FILE`: streams NDJSON into the configured database, opened as the
 * server opens it (main/open-herald.ts), migrations included.
 */
export async function importUsersCommand(config: Config, args: ImportUsersArgs, io: CliIo): Promise<number> {
  const source = openSource(args.file, io.stdin);
  let opened: Awaited<ReturnType<typeof openHerald>> | undefined;
  try {
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
    return result.skipped > 0 ? ImportExit.linesSkipped : ImportExit.ok;
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

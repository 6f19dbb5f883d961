import type { Clock } from '../domain/clock.js';
import { defaultCustomDataLimits, type CustomDataLimits } from '../domain/custom-data.js';
import { HeraldError } from '../domain/errors.js';
import { upsertedUser, type User, type UserInput } from '../domain/user.js';
import { userInputFromJson } from '../domain/user-input.js';
import type { Storage } from './ports.js';

// 10,000 users a transaction. Ids arrive in no particular order, so every batch dirties pages
// all over the id index and each commit writes them all to the WAL: fewer commits write each
// page fewer times. 1M users into SQLite took 22 s at 5,000, 16 s at 10,000 and 15.5 s at
// 20,000 (docs/benchmarks.md); past 10,000 the gain is small and the write lock, which the
// server waits for through busy_timeout, is held longer (≈0.15 s a batch).
export const DEFAULT_IMPORT_BATCH_SIZE = 10_000;
// A file with a broken generator can be wrong on every one of its million lines; the
// report keeps the first 1,000 and counts the rest.
export const DEFAULT_MAX_ERRORS = 1_000;

// batchGet binds one parameter per id: 10,000 stays under SQLite's 32,766 and pg's 65,535
// whatever --batch-size says.
const GET_IDS = 10_000;

export interface ImportProgress {
  /** Lines read so far, blank ones included. */
  lines: number;
  /** Users committed so far. */
  imported: number;
  skipped: number;
}

export interface ImportOptions {
  batchSize?: number;
  maxErrors?: number;
  /** Bounds on each user's custom data (HERALD_MAX_CUSTOM_BYTES); Stream's 5 KB by default. */
  customData?: CustomDataLimits;
  /** Called after every committed batch. */
  onProgress?: (progress: ImportProgress) => void;
}

export interface LineError {
  /** 1-based line number in the input. */
  line: number;
  message: string;
}

export interface ImportResult {
  /** Valid lines written; a later line for the same id overwrote the earlier one. */
  imported: number;
  /** Lines that were not valid users and were not written. */
  skipped: number;
  /** The first `maxErrors` bad lines, in order; `skipped` counts all of them. */
  errors: LineError[];
}

/**
 * Imports users from NDJSON lines (one user per line, blank lines ignored) as an admin upsert
 * does: a bad line is reported and skipped, the others are written.
 *
 * Each batch is written in ONE transaction, so a crash or Ctrl-C leaves whole batches only;
 * rerunning the same file is safe because every write is an upsert. Only one batch of parsed
 * users is held at a time, never the whole file.
 *
 * When an id appears twice, the last line wins: inside a batch only the last one is written,
 * across batches the later batch overwrites the earlier one.
 */
export async function importUsers(
  storage: Storage,
  clock: Clock,
  lines: AsyncIterable<string>,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  const maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
  const result: ImportResult = { imported: 0, skipped: 0, errors: [] };
  let lineNo = 0;
  // A Map keeps the last line per id; `pendingLines` counts the valid lines behind it.
  let pending = new Map<string, UserInput>();
  let pendingLines = 0;

  const flush = async () => {
    await writeBatch(storage, clock, [...pending.values()]);
    result.imported += pendingLines;
    pending = new Map();
    pendingLines = 0;
    options.onProgress?.({ lines: lineNo, imported: result.imported, skipped: result.skipped });
  };

  for await (const line of lines) {
    lineNo += 1;
    const input = parseLine(line, lineNo === 1, options.customData ?? defaultCustomDataLimits);
    if (input === null) continue;
    if (typeof input === 'string') {
      result.skipped += 1;
      if (result.errors.length < maxErrors) result.errors.push({ line: lineNo, message: input });
      continue;
    }
    pending.set(input.id, input);
    pendingLines += 1;
    if (pending.size >= batchSize) await flush();
  }
  if (pendingLines > 0) await flush();
  return result;
}

/** A user, null for a blank line, or why the line is not a user. */
function parseLine(line: string, first: boolean, limits: CustomDataLimits): UserInput | string | null {
  // Editors on Windows start files with a byte order mark that JSON.parse rejects.
  const text = first && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  try {
    return userInputFromJson(value, limits);
  } catch (error) {
    if (error instanceof HeraldError) return error.message;
    throw error;
  }
}

async function writeBatch(storage: Storage, clock: Clock, inputs: UserInput[]): Promise<void> {
  // Sorted ids make the primary-key inserts walk the B-tree in order: fewer pages touched.
  inputs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const now = clock.nowMicros();
  await storage.transaction(async (stores) => {
    // Same rules as UsersService.upsert for a server caller: created_at, role, bans and
    // last_active of an existing user are kept; everything the line gives is replaced.
    const existing = new Map<string, User>();
    for (let i = 0; i < inputs.length; i += GET_IDS) {
      const found = await stores.users.batchGet(inputs.slice(i, i + GET_IDS).map((u) => u.id));
      for (const user of found) existing.set(user.id, user);
    }
    const users = inputs.map((input) => upsertedUser(input, existing.get(input.id), now, true));
    await stores.users.batchUpsert(users);
  });
}

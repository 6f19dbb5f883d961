/**
 * Storage faults told apart by the drivers' error codes (PostgreSQL SQLSTATEs, SQLite result
 * codes, Node's socket errors), which every layer may test without importing a driver.
 */

/** The database is out of space: SQLite's SQLITE_FULL, PostgreSQL's 53100 disk_full. */
export function isDiskFull(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_FULL' || code === '53100';
}

// SQLSTATE class 08 (connection exceptions) is matched by prefix below.
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'SQLITE_BUSY']);

/**
 * The database is away or cannot take the write now, rather than the request being wrong: a
 * PostgreSQL restart (connection exceptions, 57P01–57P03 shutdown and start-up, the socket
 * refused or cut under the pool), SQLite locked past its busy timeout, or a full disk.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (UNAVAILABLE.has(code) || code.startsWith('08') || code.startsWith('SQLITE_IOERR') || isDiskFull(error)) return true;
  // node-postgres reports a socket closed mid-query, or a pool that cannot connect, in words only.
  return error instanceof Error && /Connection terminated|connection error|timeout exceeded when trying to connect/i.test(error.message);
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

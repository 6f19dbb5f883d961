import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

/**
 * Every Herald of a test run logs to files here, at debug level, so that the last test file
 * (zz-log-hygiene.test.ts) can read every line the run produced. `node --test` runs each file
 * in a child process, so the run is the parent process: its pid names the directory.
 */
export const runLogDir = (runnerPid = process.ppid) => join(tmpdir(), 'herald-test-logs', String(runnerPid));

/** A log file of this test process, for one server or child process. */
export function runLogFile(name: string): string {
  const dir = runLogDir();
  mkdirSync(dir, { recursive: true });
  return join(dir, `${process.pid}-${name}.log`);
}

/** An in-process server's logger: to the run's files, or to stdout at HERALD_TEST_LOG_LEVEL when that is set. */
export function testLogger(name: string): Logger {
  const level = process.env.HERALD_TEST_LOG_LEVEL;
  if (level) return pino({ level });
  return pino({ level: 'debug' }, pino.destination({ dest: runLogFile(name), sync: false }));
}

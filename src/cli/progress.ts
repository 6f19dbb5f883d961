import type { ImportProgress } from '../app/user-import.js';

export interface ProgressSnapshot extends ImportProgress {
  /** Bytes read from the input so far. */
  bytes: number;
}

export interface ProgressReporter {
  update(snapshot: ProgressSnapshot): void;
  /** Clears the bar so that the summary starts on a clean line. */
  finish(): void;
}

// A redraw costs a write syscall; 10 a second look smooth and cost nothing next to the import.
const TTY_REDRAW_MS = 100;
// Logs and CI output get a line every 5 s: a 30 s import shows about 6.
const PLAIN_LINE_MS = 5_000;
const BAR_WIDTH = 24;

/**
 * Progress of an import on stderr: a bar redrawn in place on a terminal, a plain line now and
 * then otherwise (logs, CI, a pipe), so that stdout carries only the summary.
 */
export function progressReporter(
  out: NodeJS.WritableStream & { isTTY?: boolean },
  totalBytes: number | null,
  nowMs: () => number = () => performance.now(),
): ProgressReporter {
  const startedMs = nowMs();
  const tty = out.isTTY === true;
  let lastMs = startedMs;
  let drawn = false;
  return {
    update(snapshot) {
      const t = nowMs();
      if (t - lastMs < (tty ? TTY_REDRAW_MS : PLAIN_LINE_MS)) return;
      lastMs = t;
      const text = describe(snapshot, totalBytes, (t - startedMs) / 1000);
      if (tty) {
        out.write(`\r\x1b[2K${text}`);
        drawn = true;
      } else {
        out.write(`progress: ${text}\n`);
      }
    },
    finish() {
      if (drawn) out.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

function describe(s: ProgressSnapshot, totalBytes: number | null, seconds: number): string {
  const rate = seconds > 0 ? Math.round(s.imported / seconds) : 0;
  const counts = `${fmt(s.imported)} imported, ${fmt(s.skipped)} skipped, ${fmt(rate)} users/s`;
  if (totalBytes === null || totalBytes === 0) return `${mib(s.bytes)} MiB read, ${counts}`;
  return `${progressBar(s.bytes / totalBytes)} ${mib(s.bytes)}/${mib(totalBytes)} MiB, ${counts}`;
}

/** `[##########..............]  42%`: the bar of an import and of `campaigns watch`. */
export function progressBar(fraction: number): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(clamped * BAR_WIDTH);
  // Floored: 100% only when it is all done, not at 99.6%.
  const percent = `${String(Math.floor(clamped * 100)).padStart(3)}%`;
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}`;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

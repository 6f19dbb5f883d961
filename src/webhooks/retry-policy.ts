/**
 * When to try a webhook again. Stream gives up after three attempts within 15 s; Herald keeps
 * trying, with exponential backoff and jitter, for a window (24 h by default), then dead-letters.
 */
export type AttemptResult = { ok: true } | { ok: false; retryable: boolean; error: string };

/** A 2xx is a success; a network error, 408, 429 or 5xx is worth retrying; other answers are final. */
export function classify(status: number | null, networkError?: string): AttemptResult {
  if (status === null) return { ok: false, retryable: true, error: networkError ?? 'network error' };
  if (status >= 200 && status < 300) return { ok: true };
  const retryable = status === 408 || status === 429 || status >= 500;
  return { ok: false, retryable, error: `HTTP ${status}` };
}

const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 10 * 60_000;

/** 1 s, 2 s, 4 s … up to 10 min, each ±25% so that a recovering receiver is not stampeded. */
export function retryDelayMs(attempt: number, maxDelayMs = MAX_DELAY_MS, random: () => number = Math.random): number {
  const base = Math.min(maxDelayMs, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

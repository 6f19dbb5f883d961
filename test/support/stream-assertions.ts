import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RawAnswer } from './raw-client.js';

/** What both SDKs throw on an error answer: stream-chat sets `status`, node-sdk `metadata.responseCode`. */
interface SdkError extends Error {
  code?: number;
  status?: number;
  metadata?: { responseCode?: number };
}

/**
 * Returns a check for assert.rejects: a Stream error with this code and HTTP status, whose
 * message matches `pattern` (the field it names, say).
 */
export function streamError(code: number, status: number, pattern?: RegExp) {
  return (caught: unknown): true => {
    const e = caught as SdkError;
    assert.equal(e.code, code, `error code of: ${e.message}`);
    assert.equal(e.status ?? e.metadata?.responseCode, status, `HTTP status of: ${e.message}`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  };
}

/** A raw answer that is Stream's error body with this status and code, naming `pattern`. */
export function assertRawError(answer: RawAnswer, status: number, code: number, pattern?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.code, code, answer.text);
  assert.equal(answer.body.StatusCode, status);
  if (pattern) assert.match(String(answer.body.message), pattern);
}

// Every time field of Stream's campaign and segment objects ends so, plus scheduled_for.
const TIME_KEY = /(_at|^scheduled_for)$/;

/**
 * v2 answers carry times as int64 Unix nanoseconds (getstream-go decodes nothing else): every
 * time key in the raw text is an integer of 19 digits or null. Returns how many were checked,
 * so that callers can make sure the check looked at something.
 */
export function assertIntegerTimes(text: string): number {
  let checked = 0;
  for (const m of text.matchAll(/"([a-z_]+)":(null|-?\d+(?:\.\d+)?|"[^"]*"|[[{tf])/g)) {
    const [, key, value] = m;
    if (!TIME_KEY.test(key)) continue;
    checked++;
    assert.ok(value === 'null' || /^\d{19}$/.test(value), `"${key}" is ${value} in a v2 answer; want int64 nanoseconds or null`);
  }
  return checked;
}

/** Legacy answers carry RFC 3339 strings with microseconds. */
export const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Polls `read` until `done` holds, or fails after `timeoutMs`. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/** An RFC 3339 time `offsetMs` from now with a `+00:00` offset, as Jackson and Python write them. */
export const isoWithOffset = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().replace('Z', '+00:00');

import type { Micros } from './clock.js';
import { inputError } from './errors.js';

/**
 * Quiet hours in the recipient's local time: a target is sent only while its local time lies
 * in [start, end). `start` later than `end` spans midnight (22:00–06:00).
 */
export interface DeliveryWindow {
  start: string;
  end: string;
  /** The user field holding the recipient's IANA zone (a custom field, as `{{ receiver.* }}` sees it). */
  timezone_field: string;
  /** The zone of channel targets, and of users whose field is missing or not a zone. */
  default_timezone: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTES_PER_DAY = 1440;
const MICROS_PER_MINUTE = 60_000_000;

const fail = (field: string, message: string) => inputError(message, { [field]: message });

export const isTimeZone = (zone: unknown): zone is string => typeof zone === 'string' && zone !== '' && formatter(zone) !== null;

/** Validates a window as given on the wire and fills its defaults. */
export function checkDeliveryWindow(input: unknown, field = 'delivery_window'): DeliveryWindow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw fail(field, `${field} must be an object or null`);
  const w = input as Record<string, unknown>;
  for (const key of ['start', 'end'] as const) {
    if (typeof w[key] !== 'string' || !HHMM.test(w[key])) throw fail(`${field}.${key}`, `${field}.${key} must be a time "HH:MM" (00:00 to 23:59)`);
  }
  if (w.start === w.end) throw fail(`${field}.end`, `${field}.end must differ from ${field}.start; give null for no window`);
  const timezoneField = w.timezone_field ?? 'timezone';
  if (typeof timezoneField !== 'string' || timezoneField === '' || timezoneField.length > 255) {
    throw fail(`${field}.timezone_field`, `${field}.timezone_field must be a user field name`);
  }
  const zone = w.default_timezone ?? 'UTC';
  if (!isTimeZone(zone)) throw fail(`${field}.default_timezone`, `${field}.default_timezone must be an IANA time zone name; got ${JSON.stringify(zone)}`);
  return { start: w.start as string, end: w.end as string, timezone_field: timezoneField, default_timezone: zone };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** One formatter per zone, kept: building one costs ~30 µs, formatting ~2 µs. Null for an unknown zone. */
function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    } catch {
      f = null;
    }
    // Zones come from user data: bound the cache (IANA has ~600 names).
    if (formatters.size < 2000) formatters.set(zone, f);
  }
  return f;
}

/** Seconds since local midnight in the zone at `now`. */
function localSecondOfDay(f: Intl.DateTimeFormat, now: Micros): number {
  let h = 0, m = 0, s = 0;
  for (const part of f.formatToParts(new Date(Math.floor(now / 1000)))) {
    if (part.type === 'hour') h = Number(part.value);
    else if (part.type === 'minute') m = Number(part.value);
    else if (part.type === 'second') s = Number(part.value);
  }
  return h * 3600 + m * 60 + s;
}

/**
 * Null when `now` lies inside the window in `zone`; otherwise when it next opens. Around a
 * daylight-saving change the opening may be off by the shift: the target is then looked at
 * again at that time and deferred once more if it is still outside, never sent outside.
 */
export function nextOpening(window: DeliveryWindow, zone: string, now: Micros): Micros | null {
  const f = formatter(zone) ?? formatter(window.default_timezone) ?? formatter('UTC')!;
  const second = localSecondOfDay(f, now);
  const minute = Math.floor(second / 60);
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (inside) return null;
  const wait = (start - minute + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  // To the start of the opening minute: whole minutes from now, less the seconds gone.
  return now + wait * MICROS_PER_MINUTE - (second % 60) * 1_000_000 - (now % 1_000_000);
}

/** The recipient's zone: the named user field when it holds a known zone, else the default. */
export function zoneOf(window: DeliveryWindow, fields: Record<string, unknown> | undefined): string {
  const value = fields?.[window.timezone_field];
  return isTimeZone(value) ? value : window.default_timezone;
}

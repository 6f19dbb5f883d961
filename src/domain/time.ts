import type { Micros } from './clock.js';
import { inputError } from './errors.js';

// RFC 3339 with any fraction, `Z` or an offset; an offset-less ISO time is UTC (Stream's own
// Python docs pass naive datetime.now()).
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Parses a wire time: an RFC 3339 string, or an integer of Unix nanoseconds (the v2 encoding). */
export function parseTime(value: unknown, field: string): Micros {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value / 1000);
  if (typeof value === 'string') {
    if (/^\d{1,19}$/.test(value)) return Number(BigInt(value) / 1000n);
    const m = RFC3339.exec(value.trim());
    if (m) {
      const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
      let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
      if (zone && zone.toUpperCase() !== 'Z') {
        const sign = zone.startsWith('-') ? -1 : 1;
        const digits = zone.slice(1).replace(':', '');
        ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
      if (!Number.isNaN(ms)) return ms * 1000 + Number(frac.padEnd(6, '0').slice(0, 6));
    }
  }
  throw inputError(`${field} must be an RFC 3339 time`, { [field]: 'invalid time' });
}

// The last time formatted: a batch's events and messages share one time, three times each.
let lastMicros = Number.NaN;
let lastFormatted = '';

/** `2024-04-04T09:26:11.805899Z`: microsecond precision, as Stream's legacy wire shows. */
export function formatRfc3339(micros: Micros): string {
  if (micros === lastMicros) return lastFormatted;
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2024-04-04T09:26:11.805Z
  const fraction = String(micros - ms * 1000).padStart(3, '0');
  lastMicros = micros;
  lastFormatted = `${iso.slice(0, 23)}${fraction}Z`;
  return lastFormatted;
}

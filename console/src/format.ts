/** How the console writes numbers, times and durations: in the browser's locale. */
const numbers = new Intl.NumberFormat();
const times = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const count = (n: number | null | undefined): string => (n === null || n === undefined ? '—' : numbers.format(n));

export const time = (iso: string | null | undefined): string => (iso ? times.format(new Date(iso)) : '—');

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  if (seconds < 1) return 'under a second';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${rest} s` : `${rest} s`;
}

export const percent = (fraction: number): number => Math.round(Math.min(1, Math.max(0, fraction)) * 100);

/** A `<input type="datetime-local">` value (local time) as RFC 3339, or undefined when empty. */
export const fromLocalInput = (value: string): string | undefined => (value ? new Date(value).toISOString() : undefined);

/** Comma, space or newline separated ids, without blanks and repeats. */
export const idList = (text: string): string[] => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

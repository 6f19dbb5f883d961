// The formatting every `herald` command shares: tables, times, counts, JSON lines.
import type { Campaign } from '../domain/campaign.js';
import type { Micros } from '../domain/clock.js';

export const fmt = (n: number) => n.toLocaleString('en-US');

export const percentText = (fraction: number) => `${Math.floor(fraction * 100)}%`;

/** A time for people: UTC to the second, `-` when there is none. */
export const timeText = (at: Micros | null) =>
  at === null ? '-' : `${new Date(Math.floor(at / 1000)).toISOString().slice(0, 19).replace('T', ' ')}Z`;

/** A time for programs (--json): RFC 3339, null when there is none. */
export const isoTime = (at: Micros | null) => (at === null ? null : new Date(Math.floor(at / 1000)).toISOString());

/** 45s, 3m 05s, 2h 10m, 3d 4h: two units at most, enough for an ETA. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad2(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad2(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor(s / 3600) % 24}h`;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Counts read best right-aligned. */
  right?: boolean;
}

/** A plain-text table sized to its content, with a header row; "(none)" when empty. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i].length)));
  const line = (values: string[]) =>
    values.map((v, i) => (columns[i].right ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

export const jsonLine = (value: unknown) => `${JSON.stringify(value)}\n`;

/** A campaign in `--json` output: its progress in targets (the ledger), not its whole object. */
export const campaignJson = (c: Campaign) => ({
  id: c.id,
  name: c.name,
  status: c.status,
  targets_done: c.stats.stats_targets_done,
  targets_total: c.stats.stats_targets_total,
  progress: c.stats.progress,
  scheduled_for: isoTime(c.scheduled_for),
  started_at: isoTime(c.stats.stats_started_at),
  completed_at: isoTime(c.stats.stats_completed_at),
  created_at: isoTime(c.created_at),
});

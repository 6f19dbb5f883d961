import type { DialectCaps } from './dialects/dialect-caps.js';

/** 0/1 integer columns, in both dialects. */
export const flag = (value: boolean | undefined | null): number => (value ? 1 : 0);

export const json = (value: unknown): string => JSON.stringify(value ?? null);

export const jsonObject = (caps: DialectCaps, value: unknown): Record<string, unknown> =>
  (caps.parseJson(value) as Record<string, unknown> | null) ?? {};

export const jsonArray = <T>(caps: DialectCaps, value: unknown): T[] => (caps.parseJson(value) as T[] | null) ?? [];

/** Splits a list into slices of at most `size`, for multi-row statements under the bind limits. */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

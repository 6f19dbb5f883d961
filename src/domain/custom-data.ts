import { inputError } from './errors.js';

export interface CustomDataLimits {
  /** Largest custom data of one user, channel, message or template, as UTF-8 JSON. */
  maxBytes: number;
}

/** Stream's cap: 5 KB of custom data per user (and per channel and message). */
export const defaultCustomDataLimits: CustomDataLimits = { maxBytes: 5 * 1024 };

/** Levels of nesting in custom data, the object itself being the first. */
export const MAX_CUSTOM_DEPTH = 32;

function depthOf(value: unknown, limit: number): number {
  if (value === null || typeof value !== 'object') return 0;
  if (limit === 0) return 1;
  let deepest = 0;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    deepest = Math.max(deepest, depthOf(child, limit - 1));
    if (deepest >= limit) break;
  }
  return 1 + deepest;
}

/**
 * Refuses custom data that nests deeper than MAX_CUSTOM_DEPTH or is larger than the limit,
 * before anything is written. `field` is where the custom fields sit (`users.ann`, `data`,
 * `message_template.custom`); a too-deep one is named by its key.
 */
export function checkCustomData(custom: Record<string, unknown> | undefined, field: string, limits: CustomDataLimits): void {
  if (!custom) return;
  for (const [key, value] of Object.entries(custom)) {
    if (depthOf(value, MAX_CUSTOM_DEPTH) >= MAX_CUSTOM_DEPTH) {
      const at = `${field}.${key}`;
      throw inputError(`${at} nests deeper than ${MAX_CUSTOM_DEPTH} levels of custom data`, { [at]: 'too deep' });
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(custom));
  if (bytes > limits.maxBytes) {
    throw inputError(`the custom data of ${field} is ${bytes} bytes, more than the ${limits.maxBytes} allowed`, { [field]: 'too large' });
  }
}

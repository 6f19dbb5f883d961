import { inputError } from './errors.js';

/**
 * How deep a request may nest, anywhere in it. Custom data has its own, lower bound
 * (custom-data.ts); this one sits above it and above the deepest filter a person writes, and
 * it keeps every recursive walk over input (null dropping, filters, JSON encoding) far from
 * the stack: a 6 MB body can nest 3 million arrays.
 */
export const MAX_INPUT_DEPTH = 64;

// A NUL, or a UTF-16 surrogate without its other half (with the u flag, a paired surrogate is
// one code point and does not match). PostgreSQL refuses both in text and jsonb; SQLite would
// store them. Refused on both, so that the two databases hold the same data.
const UNSTORABLE = /[\0\p{Cs}]/u;

export const isStorableText = (text: string) => !UNSTORABLE.test(text);

// The place named in an error: at most 8 steps of the path, bad characters shown as U+FFFD.
function describe(path: readonly (string | number)[]): string {
  if (path.length === 0) return 'the request';
  const shown = path.slice(0, 8).map((step) => String(step).replace(/[\0\p{Cs}]/gu, '\uFFFD').slice(0, 64));
  return shown.join('.') + (path.length > 8 ? '…' : '');
}

/**
 * Checks a decoded JSON value before anything reads it: strings and keys hold no NUL and no
 * lone surrogate, no key is `__proto__` (assigning it would replace an object's prototype),
 * and nothing nests deeper than MAX_INPUT_DEPTH. Throws an input error naming the place.
 */
export function checkJsonInput(value: unknown, path: (string | number)[] = []): void {
  if (typeof value === 'string') {
    if (!isStorableText(value)) throw unstorable(path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (path.length >= MAX_INPUT_DEPTH) {
    throw inputError(`${describe(path)} nests deeper than ${MAX_INPUT_DEPTH} levels`, { [describe(path)]: 'too deep' });
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      checkJsonInput(value[i], path);
      path.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    path.push(key);
    if (!isStorableText(key)) throw unstorable(path);
    if (key === '__proto__') throw inputError(`${describe(path)}: __proto__ is not allowed as a field name`, { [describe(path)]: 'not allowed' });
    checkJsonInput((value as Record<string, unknown>)[key], path);
    path.pop();
  }
}

function unstorable(path: readonly (string | number)[]) {
  const where = describe(path);
  return inputError(`${where} holds a NUL character or a lone UTF-16 surrogate`, { [where]: 'invalid characters' });
}

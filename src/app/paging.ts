import { inputError } from '../domain/errors.js';

/** One page of a cursor-paged list, with Stream's opaque `next`/`prev`. */
export interface Paged<T> {
  items: T[];
  next?: string;
  prev?: string;
}

export function pageLimit(limit: number | undefined, fallback: number, max: number, field = 'limit'): number {
  const value = limit ?? fallback;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw inputError(`${field} must be between 0 and ${max}`, { [field]: 'out of range' });
  }
  // A limit of 0 means "the default", as in Stream's API.
  return value === 0 ? fallback : value;
}

// Campaign and segment ids: Stream allows up to 255 characters; Herald also keeps them to
// characters that need no escaping in a URL path.
const RESOURCE_ID = /^[\w@.:!-]{1,255}$/;

export function checkResourceId(id: string, field: string): string {
  if (!RESOURCE_ID.test(id)) {
    throw inputError(`${field} must be 1 to 255 letters, digits or @.:!_-`, { [field]: 'invalid id' });
  }
  return id;
}

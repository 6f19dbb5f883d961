import { Type } from '@sinclair/typebox';
import { inputError } from '../domain/errors.js';

/** Query-string values arrive as text; these schemas and parsers give them their types. */
export const QueryBool = Type.Union(['true', 'false', '1', '0'].map((v) => Type.Literal(v)));
export const QueryInt = Type.String({ pattern: '^-?\\d{1,9}$' });

export const queryBool = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : value === 'true' || value === '1';

export function queryInt(value: string | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw inputError(`${field} must be an integer between ${min} and ${max}`, { [field]: 'out of range' });
  }
  return n;
}

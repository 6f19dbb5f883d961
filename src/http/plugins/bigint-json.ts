/**
 * JSON with exact int64s: v2 times are Unix nanoseconds (~1.8e18), past a double's 2^53, so
 * the encoder emits BigInt and this writes them as bare integers.
 */
const MARK = '\u0000bigint:';

export function stringifyWithBigInts(payload: unknown): string {
  let sawBigInt = false;
  const text = JSON.stringify(payload, (_key, value) => {
    if (typeof value !== 'bigint') return value;
    sawBigInt = true;
    return `${MARK}${value}`;
  });
  return sawBigInt ? text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') : text;
}

import { createHmac } from 'node:crypto';
import { TEST_API_SECRET } from './herald-server.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 JWT, made by hand so that tests can also make broken ones. */
export function signToken(payload: Record<string, unknown>, secret = TEST_API_SECRET, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export const serverToken = () => signToken({ server: true });

import { TEST_API_KEY } from '../herald-server.js';
import { signToken } from '../tokens.js';
import type { FuzzPool } from './fuzz-pool.js';
import type { AuthKind, FuzzRequest } from './fuzz-request.js';
import { tooLarge } from './hostile-values.js';
import { percentEncode, RawJson, Ref, writeJson } from './json-text.js';

/**
 * A generated request as bytes: the pool gives its references ids, path and query are
 * percent-encoded (or left broken on purpose), the token is signed for its kind of auth.
 */

/** Text that goes into the URL as it is: broken escapes, dot segments. */
export class RawPath {
  constructor(readonly text: string) {}
}

/** A query parameter holding JSON (`payload`, `json`). */
export class JsonParam {
  constructor(readonly value: unknown) {}
}

/** A query parameter holding ids joined with commas (`ids`). */
export class JoinedRefs {
  constructor(readonly refs: Ref[]) {}
}

export interface WireRequest {
  method: string;
  /** Path and query, encoded as sent. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** What the body is, for a report, when it is too big to print. */
  bodyLabel?: string;
}

/** The request as bytes, the pool giving ids to its references. */
export function materialize(request: FuzzRequest, pool: FuzzPool): WireRequest {
  const { resolve } = pool;
  const text = (value: unknown): string => {
    if (value instanceof RawPath) return value.text;
    if (value instanceof Ref) return percentEncode(resolve(value));
    if (value instanceof JsonParam) return percentEncode(writeJson(value.value, resolve));
    if (value instanceof JoinedRefs) return percentEncode(value.refs.map(resolve).join(','));
    return percentEncode(typeof value === 'string' ? value : writeJson(value, resolve));
  };
  let path = request.route.path.replace(/\{(\w+)\}/g, (_m, name: string) => text(request.params[name]));
  const query: string[] = [];
  if (request.auth !== 'noKey') query.push(`api_key=${request.auth === 'badKey' ? 'wrong-key' : TEST_API_KEY}`);
  for (const [name, value] of request.query) query.push(`${percentEncode(name)}=${text(value)}`);
  if (query.length) path += `?${query.join('&')}`;

  const headers: Record<string, string> = { 'stream-auth-type': request.auth === 'authType' ? 'anonymous' : 'jwt' };
  const user = resolve(request.authUser);
  const now = Math.floor(Date.now() / 1000);
  const token: Record<AuthKind, string | null> = {
    server: signToken({ server: true }),
    user: signToken({ user_id: user, iat: now }),
    stranger: signToken({ user_id: 'stranger-no-such-user' }),
    expired: signToken({ user_id: user, exp: now - 60 }),
    notYet: signToken({ user_id: user, nbf: now + 3600 }),
    badSignature: signToken({ server: true }, 'another-secret-of-the-same-length-xx'),
    garbage: 'not.a.jwt',
    none: null,
    badKey: signToken({ server: true }),
    noKey: signToken({ server: true }),
    bearer: `Bearer ${signToken({ server: true })}`,
    authType: signToken({ server: true }),
  };
  const authorization = token[request.auth];
  if (authorization !== null) headers.authorization = authorization;

  const { body } = request;
  if (body.kind === 'none') return { method: request.route.method, path, headers };
  if (body.kind === 'bytes') {
    headers['content-type'] = 'application/json';
    return { method: request.route.method, path, headers, body: Buffer.from(body.bytes) };
  }
  if (body.kind === 'tooLarge') {
    headers['content-type'] = 'application/json';
    return { method: request.route.method, path, headers, body: tooLarge().text, bodyLabel: 'body over 1 MB' };
  }
  const content = body.kind === 'text' ? body.text : writeJson(body.value, resolve);
  const contentType = body.contentType ?? 'application/json';
  if (contentType) headers['content-type'] = contentType;
  const bodyLabel = body.kind === 'json' && body.value instanceof RawJson ? body.value.label : undefined;
  return { method: request.route.method, path, headers, body: content, bodyLabel };
}

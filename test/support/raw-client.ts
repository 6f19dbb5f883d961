import { TEST_API_KEY } from './herald-server.js';
import { serverToken } from './tokens.js';

export interface RawAnswer {
  status: number;
  body: Record<string, any>;
  text: string;
}

export interface RawOptions {
  /** The Authorization header; null sends none. Default: a server token. */
  token?: string | null;
  /** The api_key query parameter; null sends none. */
  apiKey?: string | null;
  /** The raw body, sent as given. */
  body?: string;
  /** Replaces the default headers (`stream-auth-type: jwt`, and a JSON content type with a body). */
  headers?: Record<string, string>;
}

/**
 * A hand-rolled client for what the SDKs hide: exact status codes (Ruby's spec asserts them),
 * raw bodies and broken requests.
 */
export async function rawCall(baseURL: string, method: string, path: string, options: RawOptions = {}): Promise<RawAnswer> {
  const url = new URL(path, baseURL);
  const apiKey = options.apiKey === undefined ? TEST_API_KEY : options.apiKey;
  if (apiKey !== null) url.searchParams.set('api_key', apiKey);
  const token = options.token === undefined ? serverToken() : options.token;
  const headers: Record<string, string> = options.headers ?? {
    'stream-auth-type': 'jwt',
    ...(options.body !== undefined && { 'content-type': 'application/json' }),
  };
  if (token !== null) headers.Authorization = token;
  const response = await fetch(url, { method, headers, body: options.body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, text };
}

/** JSON-encodes a body for rawCall. */
export const json = (body: unknown) => JSON.stringify(body);

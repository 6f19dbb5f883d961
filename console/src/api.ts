/**
 * The console's client for Herald's public REST API: the legacy (root) paths, with the same
 * server-side auth as every SDK — the `api_key` query parameter, the server JWT in
 * `Authorization` and `stream-auth-type: jwt`. No other door into the server exists.
 */
export interface Credentials {
  key: string;
  token: string;
}

/** Stream's error object, as Herald answers every failure (src/http/plugins/errors.ts). */
interface StreamErrorBody {
  code?: number;
  message?: string;
  StatusCode?: number;
  exception_fields?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    /** The server's reason, without Stream's `X failed with error: "…"` wrapping. */
    readonly detail: string,
    /** Field → reason, from `exception_fields`. */
    readonly fields: Record<string, string>,
  ) {
    super(detail);
  }

  /** Expired (40) or otherwise refused credentials: the session is over. */
  get signedOut(): boolean {
    return this.status === 401;
  }
}

/** `CreateCampaign failed with error: "sender_id is a required field"` → the quoted reason. */
export function errorDetail(message: string): string {
  const quoted = /failed with error: "(.*)"$/s.exec(message);
  return quoted ? quoted[1] : message;
}

export type Query = Record<string, string | number | undefined>;

export class Api {
  constructor(
    private readonly credentials: Credentials,
    /** Called once a request is refused with 401, so that the console can sign out. */
    private readonly onSignedOut: (error: ApiError) => void = () => {},
  ) {}

  get apiKey(): string {
    return this.credentials.key;
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, undefined, query);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  private async call<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), new URL('/', location.origin));
    url.searchParams.set('api_key', this.credentials.key);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { Authorization: this.credentials.token, 'stream-auth-type': 'jwt' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : {};
    if (!response.ok) {
      const e = parsed as StreamErrorBody;
      const error = new ApiError(response.status, e.code ?? -1, errorDetail(e.message ?? response.statusText), e.exception_fields ?? {});
      if (error.signedOut) this.onSignedOut(error);
      throw error;
    }
    return parsed as T;
  }
}

/** Path segments are ids the user typed: escape them. */
export const seg = (value: string): string => encodeURIComponent(value);

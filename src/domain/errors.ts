/**
 * Domain errors carry Stream's numeric error code, never an HTTP status: the HTTP edge maps
 * codes to statuses in one place (http/plugins/errors.ts).
 */
export const ErrorCode = {
  internal: -1,
  apiKey: 2,
  input: 4,
  authentication: 5,
  doesNotExist: 16,
  notAllowed: 17,
  /** A message's text over its channel type's max_message_length (answered 400). */
  messageTooLong: 20,
  payloadTooBig: 22,
  tokenExpired: 40,
  tokenNotValidYet: 41,
  tokenBeforeIssuedAt: 42,
  tokenSignature: 43,
  rateLimited: 9,
  /** A long-poll `connection_id` this process does not hold: the client connects anew. */
  connectionIdNotFound: 46,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class HeraldError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Field-level reasons, sent as Stream's `exception_fields`. */
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HeraldError';
  }
}

export const inputError = (message: string, fields?: Record<string, string>) =>
  new HeraldError(ErrorCode.input, message, fields);
export const notFound = (message: string) => new HeraldError(ErrorCode.doesNotExist, message);
export const notAllowed = (message: string) => new HeraldError(ErrorCode.notAllowed, message);

/**
 * What Stream does through an outside service that Herald has none of (push providers,
 * translation, file storage, link previews, AI moderation). The code is 4, an input error,
 * because clients neither retry nor queue those (stream-chat's offline queue drops a task
 * answered with 4 or 17); the edge answers it with HTTP 501 Not Implemented, so that it is
 * told apart from a mistake in the request. The message names what is missing.
 */
export class NotSupportedError extends HeraldError {
  constructor(message: string) {
    super(ErrorCode.input, message);
    this.name = 'NotSupportedError';
  }
}

export const notSupported = (message: string) => new NotSupportedError(message);

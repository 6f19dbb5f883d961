import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError, NotSupportedError } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../../domain/storage-faults.js';

const MORE_INFO = 'https://getstream.io/chat/docs/api_errors_response';

/** HTTP status of each Stream error code (contract 1.6); anything else is a 400. */
const statusOfCode: Record<number, number> = {
  [ErrorCode.internal]: 500,
  [ErrorCode.apiKey]: 401,
  [ErrorCode.authentication]: 401,
  [ErrorCode.tokenExpired]: 401,
  [ErrorCode.tokenNotValidYet]: 401,
  [ErrorCode.tokenBeforeIssuedAt]: 401,
  [ErrorCode.tokenSignature]: 401,
  [ErrorCode.notAllowed]: 403,
  [ErrorCode.doesNotExist]: 404,
  [ErrorCode.payloadTooBig]: 413,
  [ErrorCode.rateLimited]: 429,
};

/** Stream's error object (contract 1.6). */
function streamError(status: number, operation: string, code: number, detail: string, fields?: Record<string, string>) {
  return {
    code,
    message: `${operation} failed with error: "${detail}"`,
    StatusCode: status,
    duration: '0',
    more_info: MORE_INFO,
    details: [],
    ...(fields && { exception_fields: fields }),
    unrecoverable: false,
  };
}

export function sendStreamError(
  reply: FastifyReply,
  operation: string,
  code: number,
  detail: string,
  fields?: Record<string, string>,
): FastifyReply {
  const status = statusOfCode[code] ?? 400;
  return reply.code(status).type('application/json; charset=utf-8').send(streamError(status, operation, code, detail, fields));
}

/**
 * Errors of the router, before any route runs (Fastify's `frameworkErrors`): a bad
 * percent-escape in the path (`/users/%ZZ`) and a path parameter over the router's cap.
 */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const detail =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is longer than the longest id (255 characters)'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the URL path is not valid percent-encoded UTF-8'
        : 'the request could not be routed';
  sendStreamError(reply, 'Request', ErrorCode.input, detail);
}

/**
 * Errors of Node's HTTP parser (raw 0xFF bytes in the request line, a broken header), which
 * never reach Fastify: answered in Stream's shape on the socket, then the socket is closed as
 * Node's own handler does.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'the request took too long to arrive']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify(streamError(status, 'Request', ErrorCode.input, detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** 503 in Stream's shape, with Retry-After: the server cannot serve this now, but will soon. */
export function sendUnavailable(reply: FastifyReply, operation: string, detail: string): FastifyReply {
  return reply.code(503).header('retry-after', '1').type('application/json; charset=utf-8')
    .send(streamError(503, operation, ErrorCode.internal, detail));
}

export const operationOf = (request: FastifyRequest): string =>
  (request.routeOptions.config as { operationId?: string } | undefined)?.operationId ?? 'Request';

/** Why a Fastify/Ajv error happened, in words a client can act on. */
function describeValidation(error: FastifyError): { detail: string; fields?: Record<string, string> } {
  const first = error.validation?.[0];
  if (!first) return { detail: error.message };
  const path = `${first.instancePath.replace(/^\//, '').replace(/\//g, '.')}`;
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const field = missing ? (path ? `${path}.${missing}` : missing) : path || error.validationContext || 'body';
  const detail = missing ? `${field} is a required field` : `${field} ${first.message ?? 'is invalid'}`;
  return { detail, fields: { [field]: first.message ?? 'invalid' } };
}

/**
 * The one place where errors become HTTP: domain codes map to Stream's statuses, request
 * problems to 400/4 or 413/22, and anything unexpected to a 500 that hides its internals.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((caught: Error, request, reply) => {
    const error = caught as FastifyError;
    const operation = operationOf(request);
    if (caught instanceof NotSupportedError) {
      // A feature that needs an outside service Herald has none of (domain/errors.ts): 501, code 4.
      return reply.code(501).type('application/json; charset=utf-8').send(streamError(501, operation, caught.code, caught.message));
    }
    if (caught instanceof HeraldError) return sendStreamError(reply, operation, caught.code, caught.message, caught.fields);
    if (error.validation) {
      const { detail, fields } = describeValidation(error);
      return sendStreamError(reply, operation, ErrorCode.input, detail, fields);
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendStreamError(reply, operation, ErrorCode.payloadTooBig, 'request body is too large');
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      // Malformed JSON, bad content length and the like: the client's fault, nothing leaks.
      return sendStreamError(reply, operation, ErrorCode.input, error.message);
    }
    // Shed under load (plugins/overload.ts): the message says so.
    if (error.statusCode === 503) return sendUnavailable(reply, operation, error.message);
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      // Not the client's fault and not a bug: 503, which every SDK retries, instead of a 500.
      return sendUnavailable(reply, operation, 'the database is unavailable right now; retry shortly');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendStreamError(reply, operation, ErrorCode.internal, 'internal server error');
  });

  app.setNotFoundHandler((_request, reply) =>
    sendStreamError(reply, 'Request', ErrorCode.doesNotExist, 'Not Found'),
  );
}

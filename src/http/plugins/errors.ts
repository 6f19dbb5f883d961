import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '../../domain/errors.js';

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

export function sendStreamError(
  reply: FastifyReply,
  operation: string,
  code: number,
  detail: string,
  fields?: Record<string, string>,
): FastifyReply {
  const status = statusOfCode[code] ?? 400;
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({
      code,
      message: `${operation} failed with error: "${detail}"`,
      StatusCode: status,
      duration: '0',
      more_info: MORE_INFO,
      details: [],
      ...(fields && { exception_fields: fields }),
      unrecoverable: false,
    });
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
    request.log.error({ err: error }, 'unhandled error');
    return sendStreamError(reply, operation, ErrorCode.internal, 'internal server error');
  });

  app.setNotFoundHandler((_request, reply) =>
    sendStreamError(reply, 'Request', ErrorCode.doesNotExist, 'Not Found'),
  );
}

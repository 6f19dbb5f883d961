import { Type, type TSchema } from '@sinclair/typebox';

/**
 * The response schemas every route shares, registered once (`app.addSchema`) and referenced by
 * id, so the OpenAPI document (/docs/json) holds each once under components.schemas. They
 * document; they never serialize (build-app.ts: replies go through stringifyWithBigInts).
 */

/** Stream's error object (contract 1.6), as plugins/errors.ts's streamError builds it. */
export const StreamErrorSchema = Type.Object(
  {
    code: Type.Integer({ description: "Stream's error code (domain/errors.ts ErrorCode): 4 input, 2 API key, 5 and 40-43 authentication, 16 does not exist, 17 not allowed, 22 too big, 9 rate limited, -1 internal" }),
    message: Type.String({ description: '`<Operation> failed with error: "<detail>"`' }),
    StatusCode: Type.Integer(),
    duration: Type.String(),
    more_info: Type.String(),
    details: Type.Array(Type.Unknown()),
    exception_fields: Type.Optional(Type.Record(Type.String(), Type.String())),
    unrecoverable: Type.Boolean(),
  },
  { $id: 'StreamError', description: "Stream's error object" },
);

/**
 * A success body whose fields the route does not declare yet: an object with Stream's
 * `duration` (build-app.ts adds it to every JSON reply). docs/wire-contract.md has the fields.
 */
export const StreamResponseSchema = Type.Object(
  { duration: Type.String({ description: 'Server time spent, e.g. "4.12ms"' }) },
  { $id: 'StreamResponse', additionalProperties: true, description: 'A Stream response object (see docs/wire-contract.md)' },
);

export const sharedResponseSchemas = [StreamErrorSchema, StreamResponseSchema] as const;

/** References to the shared schemas, by their $id. */
export const streamErrorRef = () => Type.Unsafe({ $ref: 'StreamError#' });
const streamResponseRef = () => Type.Unsafe({ $ref: 'StreamResponse#' });

/** A route's documented responses: its success (or the generic one), and Stream's error for 4xx and 5xx. */
export function streamResponses(status: number, success?: TSchema): Record<string, TSchema> {
  return { [status]: success ?? streamResponseRef(), '4xx': streamErrorRef(), '5xx': streamErrorRef() };
}

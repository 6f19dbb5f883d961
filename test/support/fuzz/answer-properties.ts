import { ErrorCode } from '../../../src/domain/errors.js';

/**
 * What every answer must satisfy, whatever was asked (issue 15): no 5xx; an error is Stream's
 * object (`{code, message, StatusCode, duration, more_info?}`) with a code of the contract and
 * the status that code maps to; an answer within 2 s. The "changed nothing" and memory checks
 * need the database and the process: fuzz-run.ts makes them.
 */
export const ANSWER_WITHIN_MS = 2000;

// Every code of the contract but internal (-1), which is what a 500 carries.
const contractCodes = new Set<number>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.internal));

// The status of each code (src/http/plugins/errors.ts statusOfCode); any other code is a 400.
const statusOf: Record<number, number> = {
  [ErrorCode.apiKey]: 401, [ErrorCode.authentication]: 401, [ErrorCode.tokenExpired]: 401, [ErrorCode.tokenNotValidYet]: 401,
  [ErrorCode.tokenBeforeIssuedAt]: 401, [ErrorCode.tokenSignature]: 401, [ErrorCode.notAllowed]: 403,
  [ErrorCode.doesNotExist]: 404, [ErrorCode.payloadTooBig]: 413, [ErrorCode.rateLimited]: 429,
};

// Code 4 with another status than 400: Node's parser refusing a request that is too slow (408)
// or whose headers are too large (431), answered by clientErrorHandler; and 501 above.
const inputStatuses = new Set([408, 431, 501]);

export interface Answer {
  status: number;
  text: string;
  elapsedMs: number;
}

/** The properties this answer breaks, in words; empty when it is fine. */
export function answerProblems(answer: Answer): string[] {
  const problems: string[] = [];
  // 501 is Herald's answer, code 4, for a feature that needs an outside service it has none of
  // (domain/errors.ts NotSupportedError): a refusal by design, not a failure.
  if (answer.status >= 500 && answer.status !== 501) problems.push(`status ${answer.status}`);
  if (answer.elapsedMs > ANSWER_WITHIN_MS) problems.push(`answered in ${Math.round(answer.elapsedMs)} ms, more than ${ANSWER_WITHIN_MS}`);
  let body: unknown;
  try {
    body = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    problems.push('the body is not JSON');
    return problems;
  }
  if (answer.status < 400) {
    if (answer.status >= 200 && (body === undefined || typeof body !== 'object')) problems.push('a success without a JSON body');
    return problems;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    problems.push('an error without a JSON object body');
    return problems;
  }
  const e = body as Record<string, unknown>;
  if (typeof e.code !== 'number' || !contractCodes.has(e.code)) problems.push(`error code ${JSON.stringify(e.code)} is not one of the contract`);
  else if ((statusOf[e.code] ?? 400) !== answer.status && !(e.code === ErrorCode.input && inputStatuses.has(answer.status))) problems.push(`code ${e.code} answered with status ${answer.status}, not ${statusOf[e.code] ?? 400}`);
  if (typeof e.message !== 'string' || e.message === '') problems.push('no message');
  if (e.StatusCode !== answer.status) problems.push(`StatusCode ${JSON.stringify(e.StatusCode)} is not the HTTP status`);
  if (typeof e.duration !== 'string') problems.push('no duration');
  if ('more_info' in e && typeof e.more_info !== 'string') problems.push('more_info is not a string');
  return problems;
}

import type { WireRequest } from './wire-request.js';

/** What a fuzzing session (fuzz-run.ts) found, and how it is printed with the way to replay each failure. */
export interface FuzzFailure {
  index: number;
  operationId: string;
  request: string;
  status: number | 'no answer';
  answer: string;
  problems: string[];
}

export interface FuzzReport {
  backend: string;
  seed: number;
  requests: number;
  elapsedMs: number;
  /** Answers by status. */
  statuses: Record<string, number>;
  /** Operations that got at least one 2xx, and all operations in the catalogue. */
  operationsAnswered2xx: number;
  operations: number;
  slowestMs: number;
  slowest: string;
  /** Time spent waiting for answers and taking checksums; the rest is generation and checks. */
  requestMs: number;
  checksumMs: number;
  rssStartMb: number;
  rssMaxMb: number;
  failures: FuzzFailure[];
  /** Per operation: answers by status, and one error message per status (for tuning the generators). */
  byOperation: Record<string, { statuses: Record<string, number>; examples: Record<string, string> }>;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);
export const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
export const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** The request as a person reads it: method, path, the auth header's kind, the body (cut). */
export function describe(wire: WireRequest, max: number): string {
  const auth = wire.headers.authorization ? `auth ${tokenPayload(wire.headers.authorization)}` : 'no auth';
  const body = wire.body === undefined ? '' : wire.bodyLabel ? ` body: ${wire.bodyLabel}` : ` body: ${short(Buffer.isBuffer(wire.body) ? `<bytes ${wire.body.toString('hex')}>` : wire.body, max)}`;
  return `${wire.method} ${short(wire.path, max)} (${auth}; content-type ${wire.headers['content-type'] ?? 'none'})${body}`;
}

/** How to replay a failure: the one request alone, or the run up to it. */
export function replayHint(report: FuzzReport, failure: FuzzFailure): string {
  return `npm run fuzz -- --backend ${report.backend} --seed ${report.seed} --path ${failure.index}   (or --runs ${failure.index + 1} for the whole sequence up to it)`;
}

export function formatReport(report: FuzzReport): string {
  const lines = [
    `${report.backend}: ${report.requests} requests in ${(report.elapsedMs / 1000).toFixed(1)} s (seed ${report.seed}), ` +
      `statuses ${JSON.stringify(report.statuses)}, ${report.operationsAnswered2xx}/${report.operations} operations answered 2xx at least once, ` +
      `requests ${seconds(report.requestMs)} s, checksums ${seconds(report.checksumMs)} s, slowest ${report.slowestMs} ms (${report.slowest}), RSS ${report.rssStartMb} → max ${report.rssMaxMb} MB, ${report.failures.length} failures`,
  ];
  for (const f of report.failures) {
    lines.push(`  #${f.index} ${f.operationId}: ${f.problems.join('; ')}`, `    request: ${f.request}`, `    answer: ${f.status} ${f.answer}`, `    replay: ${replayHint(report, f)}`);
  }
  return lines.join('\n');
}

/** A JWT's payload, decoded (the token itself says nothing to a reader), or the header as sent. */
function tokenPayload(header: string): string {
  const payload = header.replace(/^Bearer /, '').split('.')[1];
  try {
    return `${header.startsWith('Bearer ') ? 'Bearer ' : ''}jwt ${Buffer.from(payload, 'base64url').toString('utf8')}`;
  } catch {
    return JSON.stringify(header.slice(0, 60));
  }
}

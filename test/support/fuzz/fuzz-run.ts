import fc from 'fast-check';
import { Client } from 'undici';
import type { TestBackend } from '../backends.js';
import { startHerald } from '../herald-server.js';
import { rawCall } from '../raw-client.js';
import { answerProblems } from './answer-properties.js';
import { changedTables, checksumQuery } from './db-checksum.js';
import { FuzzPool } from './fuzz-pool.js';
import { anyRequest, type FuzzRequest } from './fuzz-request.js';
import { describe, mb, short, type FuzzReport } from './fuzz-report.js';
import { keepSeeded, seedData } from './fuzz-seed.js';
import { materialize } from './wire-request.js';
import { loadCatalogue, type FuzzRoute } from './route-catalogue.js';

/**
 * One fuzzing session on one database: a Herald with no background loops (so only requests
 * change data), seeded, then fast-check's generated requests one after the other. Each answer is
 * checked (answer-properties.ts); a refused one (4xx) must leave every table's checksum as it
 * was; the process's RSS must stay under a bound. Failures are collected, not thrown, so a long
 * run reports them all, each with the seed and fast-check path that replays it.
 */
export interface FuzzOptions {
  backend: TestBackend;
  seed: number;
  /** Requests to send (fast-check's numRuns); with `seconds`, whichever ends first. */
  runs: number;
  seconds?: number;
  /** fast-check's replay path: `"1234"` sends request 1234 of the seed alone. */
  path?: string;
  /** RSS may grow this much above its level after seeding (MB). */
  rssHeadroomMb?: number;
  log?: (line: string) => void;
}

const RESEED_EVERY = 300;
const MAX_FAILURES_KEPT = 200;

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const h = await startHerald(options.backend, { loops: [] });
  const client = new Client(h.baseURL, { pipelining: 1, headersTimeout: 15_000, bodyTimeout: 15_000 });
  try {
    const catalogue = await loadCatalogue(h.baseURL);
    const pool = new FuzzPool();
    await seedData(h, pool);
    const notImplemented = await probeNotImplemented(h.baseURL, catalogue);
    const checksum = await checksumQuery(h.database);
    let before = await checksum();
    const rssStart = process.memoryUsage.rss();
    const headroom = (options.rssHeadroomMb ?? 768) * 1024 * 1024;
    const report: FuzzReport = {
      backend: options.backend.name, seed: options.seed, requests: 0, elapsedMs: 0, statuses: {}, operationsAnswered2xx: 0,
      operations: catalogue.length, slowestMs: 0, slowest: '', requestMs: 0, checksumMs: 0, rssStartMb: mb(rssStart), rssMaxMb: mb(rssStart), failures: [], byOperation: {},
    };
    const answered = new Set<string>();
    let index = options.path ? Number(options.path.split(':')[0]) - 1 : -1;
    let generation = 0;
    log(`${catalogue.length} operations from /docs/json; seed ${options.seed}`);

    // Routes Herald answers 501 (an outside service it has none of) get a fifth of the requests.
    const weight = (route: FuzzRoute) => (notImplemented.has(route.operationId) ? 1 : 5);
    const property = fc.asyncProperty(anyRequest(catalogue, weight), async (request: FuzzRequest) => {
      index++;
      if (!options.path && index > 0 && index % RESEED_EVERY === 0) {
        try {
          await keepSeeded(h, pool, ++generation);
        } catch (error) {
          report.failures.push({ index, operationId: 'reseed', request: 'keepSeeded', status: 'no answer', answer: String(error), problems: ['the seeded data could not be restored'] });
        }
        before = await checksum();
      }
      const wire = materialize(request, pool);
      const started = performance.now();
      let status: number | 'no answer';
      let text: string;
      try {
        const answer = await client.request({ method: wire.method as 'GET', path: wire.path, headers: wire.headers, body: wire.body });
        status = answer.statusCode;
        text = await answer.body.text();
      } catch (error) {
        status = 'no answer';
        text = String(error);
      }
      const elapsedMs = performance.now() - started;
      const problems = status === 'no answer' ? [`no answer: ${text}`] : answerProblems({ status, text, elapsedMs });
      const checksumStarted = performance.now();
      const after = await checksum();
      report.requestMs += elapsedMs;
      report.checksumMs += performance.now() - checksumStarted;
      if (typeof status === 'number' && status >= 400) {
        const changed = changedTables(before, after);
        if (changed.length) problems.push(`a refused request changed ${changed.join('; ')}`);
      } else if (status !== 'no answer' && status < 300) {
        answered.add(request.route.operationId);
        pool.harvest(safeJson(text));
      }
      before = after;
      const rss = process.memoryUsage.rss();
      if (rss > rssStart + headroom) problems.push(`RSS ${mb(rss)} MB, more than ${mb(rssStart + headroom)} MB`);

      report.requests++;
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
      const op = (report.byOperation[request.route.operationId] ??= { statuses: {}, examples: {} });
      const key = `${status}${request.chaos === 0 && request.auth === 'server' ? '' : '*'}`;
      op.statuses[key] = (op.statuses[key] ?? 0) + 1;
      op.examples[key] ??= short(text, 200);
      report.rssMaxMb = Math.max(report.rssMaxMb, mb(rss));
      if (elapsedMs > report.slowestMs) Object.assign(report, { slowestMs: Math.round(elapsedMs), slowest: `${wire.method} ${short(wire.path, 120)}` });
      if (problems.length && report.failures.length < MAX_FAILURES_KEPT) {
        report.failures.push({ index, operationId: request.route.operationId, request: describe(wire, options.path ? 20_000 : 600), status, answer: short(text, options.path ? 4000 : 400), problems });
        log(`FAIL #${index} ${request.route.operationId}: ${problems.join('; ')}`);
      }
      // Replaying one request: show it whole, and its answer, failing or not.
      if (options.path) log(`request #${index} ${request.route.operationId}: ${describe(wire, 20_000)}\nanswer: ${status} ${short(text, 4000)}`);
      if (report.requests % 1000 === 0) log(`${report.requests} requests, ${report.failures.length} failures, RSS ${mb(rss)} MB`);
      return true;
    });

    const started = Date.now();
    await fc.assert(property, {
      seed: options.seed,
      numRuns: options.path ? 1 : options.runs,
      path: options.path,
      interruptAfterTimeLimit: options.seconds ? options.seconds * 1000 : undefined,
      markInterruptAsFailure: false,
    });
    report.elapsedMs = Date.now() - started;
    log(`rows at the end: ${Object.entries(before).filter(([, c]) => !c.startsWith('0:')).map(([t, c]) => `${t} ${c.split(':')[0]}`).join(', ')}`);
    report.operationsAnswered2xx = answered.size;
    return report;
  } finally {
    await client.close();
    await h.close();
  }
}

/** The operations that answer a plain request with 501: one request each, before fuzzing. */
async function probeNotImplemented(baseURL: string, routes: readonly FuzzRoute[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const route of routes) {
    // Ids no seeded data has: the probe changes nothing.
    const path = route.path.replace(/\{(\w+)\}/g, () => 'probe');
    const answer = await rawCall(baseURL, route.method, path, { body: route.method === 'GET' ? undefined : '{}' }).catch(() => undefined);
    if (answer?.status === 501) found.add(route.operationId);
  }
  return found;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// The long form of the HTTP fuzzer (test/fuzz.test.ts runs the short one): `npm run fuzz`.
// Arguments (or environment): --seconds N (HERALD_FUZZ_SECONDS, default 300), --seed N
// (HERALD_FUZZ_SEED, default random), --runs N (HERALD_FUZZ_RUNS, default unbounded: the time
// decides), --backend sqlite|postgres|both (default both), --path I to replay request I alone.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { postgresBackend, postgresUnavailable, sqliteBackend } from '../backends.js';
import { formatReport } from './fuzz-report.js';
import { runFuzz } from './fuzz-run.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string' }, seed: { type: 'string' }, runs: { type: 'string' }, backend: { type: 'string' }, path: { type: 'string' },
  },
});
const seed = Number(values.seed ?? process.env.HERALD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const seconds = Number(values.seconds ?? process.env.HERALD_FUZZ_SECONDS ?? 300);
const runs = Number(values.runs ?? process.env.HERALD_FUZZ_RUNS ?? Number.MAX_SAFE_INTEGER);
const wanted = values.backend ?? process.env.HERALD_FUZZ_BACKEND ?? 'both';
let failed = false;

for (const backend of [sqliteBackend, postgresBackend]) {
  if (wanted !== 'both' && wanted !== backend.name) continue;
  if (backend.name === 'postgres' && (await postgresUnavailable())) continue;
  const report = await runFuzz({
    backend, seed, runs, seconds: values.path ? undefined : seconds, path: values.path,
    log: (line) => console.log(`${backend.name}: ${line}`),
  });
  console.log(formatReport(report));
  if (process.env.HERALD_FUZZ_STATS) writeFileSync(`${process.env.HERALD_FUZZ_STATS}.${backend.name}.json`, JSON.stringify(report.byOperation, null, 1));
  failed ||= report.failures.length > 0;
}
process.exit(failed ? 1 : 0);

// The long form of the exactly-once soak: `npm run soak`. Environment: SOAK_BACKEND (sqlite,
// postgres or both; default both), SOAK_TARGETS (default 200000), SOAK_ADDED (default 20000),
// SOAK_WORKERS (PostgreSQL; default 3), SOAK_CHAOS_MS (default 60000).
import { postgresBackend, postgresUnavailable, sqliteBackend } from '../support/backends.js';
import { runSoak } from './exactly-once-soak.js';

const wanted = process.env.SOAK_BACKEND ?? 'both';
const targets = Number(process.env.SOAK_TARGETS ?? 200_000);
const added = Number(process.env.SOAK_ADDED ?? 20_000);
const chaosMs = Number(process.env.SOAK_CHAOS_MS ?? 60_000);
let failed = false;

for (const backend of [sqliteBackend, postgresBackend]) {
  if (wanted !== 'both' && wanted !== backend.name) continue;
  if (backend.name === 'postgres' && (await postgresUnavailable())) continue;
  const workers = backend.name === 'postgres' ? Number(process.env.SOAK_WORKERS ?? 3) : 1;
  const started = Date.now();
  const report = await runSoak({ backend, targets, added, workers, chaosMs, log: (l) => console.log(`${backend.name}: ${l}`) });
  const ok =
    report.duplicates === 0 &&
    Object.keys(report.ledger).join() === 'sent' &&
    report.ledger.sent >= report.targets &&
    report.messages === report.ledger.sent &&
    report.stats.stats_messages_sent === report.messages &&
    report.recall.deleted === report.messages &&
    report.recall.announced === report.messages &&
    report.recall.announcedDistinct === report.messages &&
    report.recall.ledgerRecalled === report.messages &&
    report.recall.stats_messages_recalled === report.messages;
  failed ||= !ok;
  console.log(`${backend.name}: ${ok ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(report)}`);
}
process.exit(failed ? 1 : 0);

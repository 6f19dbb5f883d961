import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { runSoak } from './soak/exactly-once-soak.js';

// The small form for CI; `npm run soak` runs the long one (test/soak/run-soak.ts).
for (const { backend, skip } of await backends()) {
  describe(`exactly-once soak on ${backend.name}`, { skip }, () => {
    it('sends every target exactly once through kills, stops, resumes and added targets, then recalls each once through kills', { timeout: 600_000 }, async () => {
      const report = await runSoak({
        backend,
        targets: 20_000,
        added: 2_000,
        workers: backend.name === 'postgres' ? 2 : 1,
        chaosMs: 8_000,
        log: (line) => console.log(`# ${backend.name}: ${line}`),
      });
      console.log(`# ${backend.name}: ${JSON.stringify(report)}`);
      assert.ok(report.kills > 0 && report.stops > 0 && report.adds > 0, 'workers were killed, the campaign stopped and targets added mid-run');
      assert.equal(report.duplicates, 0, 'no target got two messages');
      assert.deepEqual(Object.keys(report.ledger), ['sent'], 'every ledger row is terminal: sent');
      assert.ok(report.ledger.sent >= report.targets, 'every target added before completion is in the ledger');
      assert.equal(report.messages, report.ledger.sent, 'one message per target');
      assert.equal(report.stats.stats_messages_sent, report.messages);
      assert.equal(report.stats.stats_users_sent, report.messages);
      assert.equal(report.stats.stats_channels_created, report.channelsCreated);
      assert.equal(report.stats.progress, 1);
      const { recall } = report;
      assert.ok(recall.kills > 0, 'workers were killed during the recall');
      assert.equal(recall.deleted, report.messages, 'the recall deleted every message');
      assert.equal(recall.announced, report.messages, 'each deletion was announced once');
      assert.equal(recall.announcedDistinct, report.messages);
      assert.equal(recall.ledgerRecalled, report.messages, 'every sent target shows recalled_at');
      assert.equal(recall.stats_messages_recalled, report.messages);
    });
  });
}

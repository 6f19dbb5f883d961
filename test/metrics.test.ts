import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { getPriority } from 'node:os';
import { dirname } from 'node:path';
import { backends } from './support/backends.js';
import { ledgerCounts } from './support/campaign-counts.js';
import { loadConfig } from '../src/config/config.js';
import { freePort, spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const TOKEN = 'metrics-test-token';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (what the tests read of it). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `an exposition line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

for (const { backend, skip } of await backends()) {
  describe(`GET /metrics on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;

    const scrape = async () => {
      const response = await fetch(`${h.baseURL}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      return { text, samples: parseExposition(text) };
    };
    const samples = async () => (await scrape()).samples;
    const raw = async (method: string, path: string, body?: unknown) => {
      const answer = await rawCall(h.baseURL, method, path, { body: body === undefined ? undefined : json(body) });
      assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
      return answer.body;
    };
    const completed = (id: string) => waitFor(`campaign ${id} to complete`, async () => (await h.chat.getCampaign(id)).campaign.status === 'completed');

    before(async () => {
      receiver = await new WebhookReceiver().start();
      // A failing delivery is retried every ~200 ms and dead-lettered after 1.5 s.
      h = await startHerald(backend, { metrics: true, metricsToken: TOKEN, webhooks: { retryWindowMs: 1500, maxRetryDelayMs: 200 } });
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, { id: 'ann' }, { id: 'bob' }, { id: 'cy' }, { id: 'dee' }]);
      await h.chat.updateAppSettings({ webhook_url: receiver.url } as never);
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    it('needs the bearer token when HERALD_METRICS_TOKEN is set, and answers 401 in Stream\'s error shape', async () => {
      for (const authorization of [undefined, 'Bearer wrong-token', TOKEN, `Basic ${TOKEN}`]) {
        const response = await fetch(`${h.baseURL}/metrics`, { headers: authorization ? { authorization } : {} });
        assert.equal(response.status, 401, `Authorization: ${authorization}`);
        const body = (await response.json()) as Record<string, unknown>;
        assert.equal(body.code, 5);
        assert.equal(body.StatusCode, 401);
        assert.match(String(body.message), /^Metrics failed with error: /);
      }
      const { text } = await scrape();
      assert.match(text, /^# HELP /m);
      // collectDefaultMetrics: the process's own metrics are there too.
      assert.match(text, /^process_cpu_user_seconds_total /m);
      assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    });

    it('counts a campaign\'s targets by outcome and its send batches, and reads the campaigns gauge from the database', async () => {
      const before = await samples();
      // `ghost` is no user: its target is skipped (user_missing).
      const campaign = h.chat.campaign({
        sender_id: 'boss', user_ids: ['ann', 'bob', 'ghost'], create_channels: true,
        channel_template: { type: 'messaging', id: 'metrics-{{ receiver.id }}' }, message_template: { text: 'hi' },
      });
      await campaign.create();
      await campaign.start();
      await completed(campaign.id!);
      const now = await samples();
      const delta = (name: string, labels: Record<string, string> = {}) => valueOf(now, name, labels) - valueOf(before, name, labels);
      assert.equal(delta('herald_campaign_targets_total', { status: 'sent' }), 2);
      assert.equal(delta('herald_campaign_targets_total', { status: 'skipped' }), 1);
      assert.equal(delta('herald_campaign_targets_total', { status: 'failed' }), 0);
      assert.ok(delta('herald_send_batch_duration_seconds_count') > 0, 'a batch observed');
      assert.ok(valueOf(now, 'herald_send_batch_duration_seconds_sum') > 0);
      assert.equal(valueOf(now, 'herald_campaigns', { status: 'completed' }), 1);
      assert.equal(valueOf(now, 'herald_campaigns', { status: 'draft' }), 0);
      assert.equal(valueOf(now, 'herald_ledger_pending'), 0);
      assert.equal(valueOf(now, 'herald_ledger_deferred'), 0);
    });

    it('reads the ledger gauges from the campaigns\' counters, equal to the ledger\'s own count', async () => {
      // A delivery window that opens in two hours (UTC): every target is deferred.
      const hhmm = (hoursAhead: number) => new Date(Date.now() + hoursAhead * 3_600_000).toISOString().slice(11, 16);
      const deferred = await raw('POST', '/campaigns', {
        sender_id: 'boss', user_ids: ['ann', 'bob'], message_template: { text: 'later' }, delivery_window: { start: hhmm(2), end: hhmm(3) },
      });
      await raw('POST', `/campaigns/${deferred.campaign.id}/start`, {});
      await waitFor('deferrals', async () => (await raw('GET', `/campaigns/${deferred.campaign.id}`)).campaign.stats.stats_targets_deferred === 2);
      // One target a second: stopped while most are still pending.
      const throttled = await raw('POST', '/campaigns', {
        sender_id: 'boss', user_ids: ['ann', 'bob', 'cy', 'dee'], message_template: { text: 'slow' }, max_messages_per_second: 1,
        create_channels: true, channel_template: { type: 'messaging', id: 'slow-{{ receiver.id }}' },
      });
      await raw('POST', `/campaigns/${throttled.campaign.id}/start`, {});
      const expanded = async () => Object.values(await ledgerCounts(h.database, throttled.campaign.id)).reduce((a, b) => a + b, 0) === 4;
      await waitFor('expansion', expanded);
      await raw('POST', `/campaigns/${throttled.campaign.id}/stop`, {});

      // A batch claimed before the stop may still commit: compare once the ledger is at rest.
      const { truth, now } = await waitFor('the gauges to match the ledger', async () => {
        const before = await ledgerTruth();
        const scraped = await samples();
        const after = await ledgerTruth();
        return before.ready === after.ready && valueOf(scraped, 'herald_ledger_pending') === after.ready && { truth: after, now: scraped };
      });
      assert.ok(truth.ready > 0, `the stopped campaign keeps pending targets: ${JSON.stringify(await ledgerCounts(h.database, throttled.campaign.id))}`);
      assert.equal(valueOf(now, 'herald_ledger_pending'), truth.ready);
      assert.equal(valueOf(now, 'herald_ledger_deferred'), truth.deferred);
      assert.equal(truth.deferred, 2);
      const byStatus = await sql<{ status: string; n: number }>`select status, count(*) as n from campaigns group by status`.execute(h.database.db);
      for (const { status, n } of byStatus.rows) assert.equal(valueOf(now, 'herald_campaigns', { status }), Number(n), status);
      assert.equal(valueOf(now, 'herald_campaigns', { status: 'in_progress' }), 1);
      assert.equal(valueOf(now, 'herald_campaigns', { status: 'stopped' }), 1);
    });

    /** What the gauges stand for, counted from the ledger itself. */
    async function ledgerTruth() {
      const rows = await sql<{ ready: number; deferred: number }>`select
          sum(case when status = 'pending' and deferred_until is null then 1 else 0 end) as ready,
          sum(case when status = 'pending' and deferred_until is not null then 1 else 0 end) as deferred
        from campaign_targets`.execute(h.database.db);
      const row = rows.rows[0];
      return { ready: Number(row.ready ?? 0), deferred: Number(row.deferred ?? 0) };
    }

    it('counts webhook deliveries by outcome and reads the outbox gauges', async () => {
      await waitFor('deliveries counted', async () => valueOf(await samples(), 'herald_webhook_deliveries_total', { outcome: 'delivered' }) >= receiver.accepted.length && receiver.accepted.length > 0);
      const before = await samples();
      receiver.mode = 'fail';
      try {
        await h.chat.channel('messaging', 'metrics-ann').sendMessage({ text: 'to a failing hook', user_id: 'boss' });
        // While it fails, the row waits in the outbox: depth counts it.
        const during = await waitFor('a retry', async () => {
          const s = await samples();
          return valueOf(s, 'herald_webhook_deliveries_total', { outcome: 'retried' }) > valueOf(before, 'herald_webhook_deliveries_total', { outcome: 'retried' }) && s;
        });
        assert.ok(valueOf(during, 'herald_webhook_outbox_depth') >= 1);
        await waitFor('the dead letter', async () => {
          const s = await samples();
          return valueOf(s, 'herald_webhook_deliveries_total', { outcome: 'dead' }) > valueOf(before, 'herald_webhook_deliveries_total', { outcome: 'dead' });
        });
      } finally {
        receiver.mode = 'ok';
      }
      const now = await waitFor('an empty outbox', async () => {
        const s = await samples();
        return valueOf(s, 'herald_webhook_outbox_depth') === 0 && s;
      });
      assert.equal(valueOf(now, 'herald_webhook_oldest_due_seconds'), 0);
      assert.ok(valueOf(now, 'herald_webhook_deliveries_total', { outcome: 'delivered' }) >= valueOf(before, 'herald_webhook_deliveries_total', { outcome: 'delivered' }));
    });

    it('reports the age of the oldest due outbox row', async () => {
      // A row due a minute ago, as a receiver that has been down for a minute leaves one.
      const now = Date.now() * 1000;
      await h.database.db
        .insertInto('webhook_outbox')
        .values({ id: 'metrics-late', hook_url: 'http://127.0.0.1:9/unreachable', event_type: 'test.late', ordering_key: null, body: '{}', body_format: 'wire', status: 'dead', attempts: 0, next_attempt_at: now - 60_000_000, created_at: now, updated_at: now })
        .execute();
      // Dead rows are neither deep nor due; made pending (and leased, so that no deliverer
      // takes it meanwhile), it is both.
      assert.equal(valueOf(await samples(), 'herald_webhook_oldest_due_seconds'), 0);
      await h.database.db.updateTable('webhook_outbox').set({ status: 'pending', locked_by: 'metrics-test', locked_until: now + 3_600_000_000 }).where('id', '=', 'metrics-late').execute();
      const s = await samples();
      assert.equal(valueOf(s, 'herald_webhook_outbox_depth'), 1);
      const age = valueOf(s, 'herald_webhook_oldest_due_seconds');
      assert.ok(age >= 60 && age < 120, `age ${age}`);
      await h.database.db.deleteFrom('webhook_outbox').where('id', '=', 'metrics-late').execute();
    });

    it('times requests by route pattern, never by raw path or id', async () => {
      const campaign = await raw('POST', '/campaigns', { id: 'metrics-raw-id-4711', sender_id: 'boss', user_ids: ['ann'], message_template: { text: 'x' } });
      await raw('GET', `/campaigns/${campaign.campaign.id}`);
      await raw('GET', `/api/v2/chat/campaigns/${campaign.campaign.id}`);
      const missing = await rawCall(h.baseURL, 'GET', '/no-such-path-8812');
      assert.equal(missing.status, 404);
      const { text, samples: now } = await scrape();
      const route = (r: string, status = '200') => valueOf(now, 'herald_http_request_duration_seconds_count', { method: 'GET', route: r, status_code: status });
      assert.ok(route('/campaigns/:id') >= 1);
      assert.ok(route('/api/v2/chat/campaigns/:id') >= 1);
      assert.ok(valueOf(now, 'herald_http_request_duration_seconds_count', { method: 'POST', route: '/campaigns', status_code: '201' }) >= 1);
      assert.ok(route('unmatched', '404') >= 1);
      assert.ok(valueOf(now, 'herald_http_request_duration_seconds_bucket', { route: '/campaigns/:id', le: '+Inf' }) >= 1);
      assert.ok(!text.includes('metrics-raw-id-4711'), 'no raw id in a label');
      assert.ok(!text.includes('no-such-path-8812'), 'no raw path in a label');
      const routes = new Set(now.filter((s) => s.name === 'herald_http_request_duration_seconds_count').map((s) => s.labels.route));
      for (const r of routes) assert.ok(r === 'unmatched' || r.startsWith('/'), r);
    });
  });

  describe(`GET /metrics of an \`all\` process on ${backend.name}`, { skip }, () => {
    it('has the reports of the sender thread, relayed to the API thread\'s registry', async () => {
      const created = await backend.create();
      const dataDir = created.sqliteFile ? dirname(created.sqliteFile) : undefined;
      const server = await spawnHerald({ role: 'all', databaseUrl: created.url, dataDir, env: { HERALD_METRICS_TOKEN: TOKEN } });
      try {
        const call = async (method: string, path: string, body?: unknown) => {
          const answer = await rawCall(server.baseURL, method, path, { body: body === undefined ? undefined : json(body) });
          assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
          return answer.body;
        };
        const scrapeAll = async () => {
          const response = await fetch(`${server.baseURL}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
          assert.equal(response.status, 200);
          return parseExposition(await response.text());
        };
        assert.equal((await fetch(`${server.baseURL}/metrics`)).status, 401, 'HERALD_METRICS_TOKEN is read from the environment');
        await call('POST', '/users', { users: { boss: { id: 'boss' }, ann: { id: 'ann' }, bob: { id: 'bob' } } });
        const { campaign } = await call('POST', '/campaigns', {
          sender_id: 'boss', user_ids: ['ann', 'bob', 'ghost'], create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'hi' },
        });
        await call('POST', `/campaigns/${campaign.id}/start`, {});
        await waitFor('completion', async () => (await call('GET', `/campaigns/${campaign.id}`)).campaign.status === 'completed');
        // The report is posted after the batch commits: it may trail the completion by a moment.
        const samples = await waitFor('the relayed batch', async () => {
          const now = await scrapeAll();
          return valueOf(now, 'herald_campaign_targets_total', { status: 'skipped' }) === 1 && now;
        });
        assert.equal(valueOf(samples, 'herald_campaign_targets_total', { status: 'sent' }), 2);
        assert.ok(valueOf(samples, 'herald_send_batch_duration_seconds_count') >= 1);
        assert.equal(valueOf(samples, 'herald_campaigns', { status: 'completed' }), 1);
        // One process, one set of process metrics: the thread keeps no registry of its own.
        assert.equal(samples.filter((x) => x.name === 'process_cpu_user_seconds_total').length, 1);
      } finally {
        await server.stop();
        await created.dispose();
      }
    });
  });

  describe(`the metrics of \`worker\` processes, on HERALD_METRICS_PORT, on ${backend.name}`, { skip }, () => {
    it('serves each worker\'s sends and webhook deliveries there, and never listens on PORT', async () => {
      const receiver = await new WebhookReceiver().start();
      // The API in this process, with no background loops: every send and delivery is a worker's.
      const h = await startHerald(backend, { loops: [] });
      const workers: Array<{ process: HeraldProcess; metricsURL: string }> = [];
      try {
        // Two workers on one machine, both given the API's PORT: a worker that listened on it
        // would fail to start. SQLite is shared through its data dir, as the soak does.
        const apiPort = new URL(h.baseURL).port;
        const storage = h.databaseUrl ? { databaseUrl: h.databaseUrl } : { dataDir: dirname(h.database.location) };
        for (let i = 0; i < 2; i++) {
          const metricsPort = await freePort();
          // The first at the default priority, the second told to keep its parent's.
          const env = { PORT: apiPort, HERALD_METRICS_PORT: String(metricsPort), HERALD_METRICS_TOKEN: TOKEN, HERALD_SEND_BATCH_SIZE: '4', ...(i === 1 && { HERALD_WORKER_NICE: '0' }) };
          const worker = await spawnHerald({ role: 'worker', ...storage, env });
          workers.push({ process: worker, metricsURL: `http://127.0.0.1:${metricsPort}` });
        }
        for (const { process: worker, metricsURL } of workers) {
          await waitFor(`the worker's /healthz on ${metricsURL}`, async () => {
            if (worker.child.exitCode !== null) throw new Error(`the worker exited with code ${worker.child.exitCode}`);
            return fetch(`${metricsURL}/healthz`).then((r) => r.ok, () => false);
          }, 60_000);
          assert.deepEqual(await (await fetch(`${metricsURL}/healthz`)).json(), { status: 'ok' });
          // The same bearer rule as the API's /metrics, and nothing but /metrics and /healthz.
          const unauthorized = await fetch(`${metricsURL}/metrics`);
          assert.equal(unauthorized.status, 401);
          assert.equal(((await unauthorized.json()) as { code: number }).code, 5);
          for (const path of ['/campaigns', '/docs/json', '/dashboard/', '/connect']) {
            assert.equal((await fetch(`${metricsURL}${path}`)).status, 404, path);
          }
        }
        assert.ok((await fetch(`${h.baseURL}/healthz`)).ok, 'the API still holds PORT');
        // Sending is batch work: a worker runs at nice 10 unless told otherwise, never less nice than it started.
        assert.equal(getPriority(workers[0].process.child.pid), Math.max(getPriority(), 10));
        assert.equal(getPriority(workers[1].process.child.pid), getPriority());

        const scrapeWorker = async (metricsURL: string) => {
          const response = await fetch(`${metricsURL}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
          assert.equal(response.status, 200);
          assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
          return parseExposition(await response.text());
        };
        const scrapeAll = () => Promise.all(workers.map((w) => scrapeWorker(w.metricsURL)));
        const total = (scrapes: Sample[][], name: string, labels: Record<string, string> = {}) =>
          scrapes.reduce((sum, samples) => sum + valueOf(samples, name, labels), 0);

        const users = Array.from({ length: 21 }, (_, i) => ({ id: `w${i}` }));
        await h.chat.upsertUsers([{ id: 'boss' }, ...users]);
        await h.chat.updateAppSettings({ webhook_url: receiver.url } as never);
        // `ghost` is no user: skipped (user_missing).
        const campaign = h.chat.campaign({
          sender_id: 'boss', user_ids: [...users.map((u) => u.id), 'ghost'], create_channels: true,
          channel_template: { type: 'messaging', id: 'worker-{{ receiver.id }}' }, message_template: { text: 'hi' },
        });
        await campaign.create();
        await campaign.start();
        await waitFor('completion', async () => (await campaign.get()).campaign.status === 'completed', 60_000);
        const ledger = await ledgerCounts(h.database, campaign.id!);
        assert.equal(ledger.sent, users.length, JSON.stringify(ledger));
        // A worker reports a batch after its commit: the counters may trail the completion.
        const scrapes = await waitFor('the workers\' counters', async () => {
          const now = await scrapeAll();
          return total(now, 'herald_campaign_targets_total', { status: 'sent' }) + total(now, 'herald_campaign_targets_total', { status: 'skipped' }) ===
            users.length + 1 && now;
        });
        assert.equal(total(scrapes, 'herald_campaign_targets_total', { status: 'sent' }), users.length);
        assert.equal(total(scrapes, 'herald_campaign_targets_total', { status: 'skipped' }), 1);
        assert.equal(total(scrapes, 'herald_campaign_targets_total', { status: 'failed' }), 0);
        // 22 targets in batches of at most 4.
        assert.ok(total(scrapes, 'herald_send_batch_duration_seconds_count') >= 6, 'the batches observed');
        assert.ok(total(scrapes, 'herald_send_batch_duration_seconds_sum') > 0);
        for (const samples of scrapes) {
          assert.equal(samples.filter((x) => x.name === 'process_cpu_user_seconds_total').length, 1);
          // The database's gauges are the API processes'; a worker's listener times no requests.
          for (const name of ['herald_campaigns', 'herald_ledger_pending', 'herald_webhook_outbox_depth', 'herald_http_request_duration_seconds_count']) {
            assert.ok(!samples.some((x) => x.name === name), `a worker serves no ${name}`);
          }
        }
        // Every webhook event (the campaign's messages, channels and members) was delivered by a worker.
        await waitFor('the workers\' deliveries', async () => {
          const delivered = total(await scrapeAll(), 'herald_webhook_deliveries_total', { outcome: 'delivered' });
          return receiver.accepted.length >= users.length && delivered === receiver.accepted.length;
        });
        // SIGTERM: the listener closes with the loops, and the process exits cleanly.
        await Promise.all(workers.map((w) => w.process.stop()));
        for (const { process: worker, metricsURL } of workers) {
          assert.equal(worker.child.exitCode, 0);
          await assert.rejects(fetch(`${metricsURL}/healthz`), 'the listener is closed');
        }
      } finally {
        await Promise.all(workers.map((w) => w.process.stop()));
        await h.close();
        await receiver.stop();
      }
    });
  });
}

describe('HERALD_WORKER_NICE', () => {
  it('is a nice value from 0 to 19, 10 by default', () => {
    assert.equal(loadConfig({}).workerNice, 10);
    assert.equal(loadConfig({ HERALD_WORKER_NICE: '0' }).workerNice, 0);
    assert.equal(loadConfig({ HERALD_WORKER_NICE: '19' }).workerNice, 19);
    for (const bad of ['-1', '20', '5.5', 'low']) {
      assert.throws(() => loadConfig({ HERALD_WORKER_NICE: bad }), /invalid configuration: workerNice/, bad);
    }
  });
});

describe('HERALD_METRICS_PORT', () => {
  it('is a port number, and optional', () => {
    assert.equal(loadConfig({}).metricsPort, undefined);
    assert.equal(loadConfig({ HERALD_METRICS_PORT: '' }).metricsPort, undefined);
    assert.equal(loadConfig({ HERALD_ROLE: 'worker', HERALD_METRICS_PORT: '9464' }).metricsPort, 9464);
    for (const bad of ['0', '65536', '-1', '94.5', 'nine', '9464x']) {
      assert.throws(() => loadConfig({ HERALD_METRICS_PORT: bad }), /invalid configuration: metricsPort/, bad);
    }
  });
});

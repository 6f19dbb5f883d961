import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { TokenVerifier } from '../src/app/tokens.js';
import { backends } from './support/backends.js';
import { connectClient } from './support/chat-clients.js';
import { freePort } from './support/herald-process.js';
import { startHerald, TEST_API_KEY, TEST_API_SECRET, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';

/**
 * The `herald` CLI as a child process (`node --import tsx src/cli/herald.ts`), on the database
 * of a running test Herald whose sender loop does the sending, on both backends.
 */

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunningCli {
  /** What the command has printed so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/** The CLI; with `tty`, its stdout a terminal (util-linux `script`, whose -e passes the exit status on). */
function spawnCli(args: string[], env: NodeJS.ProcessEnv, tty = false): RunningCli {
  const argv = [process.execPath, '--import', 'tsx', 'src/cli/herald.ts', ...args];
  const child = tty
    ? spawn('script', ['-qec', argv.map((a) => `'${a}'`).join(' '), '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, done };
}

const ERASE_LINE = '\r\x1b[2K';
const runCli = (args: string[], env: NodeJS.ProcessEnv) => spawnCli(args, env).done;

/** The environment of a shell with none of Herald's settings, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', ...extra };
  for (const key of ['DATABASE_URL', 'HERALD_DATA_DIR', 'HERALD_API_KEY', 'HERALD_API_SECRET', 'PORT', 'HOST']) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

const verifier = new TokenVerifier({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
const nowSeconds = () => Date.now() / 1000;
/** The percentages a watch printed, in order. */
const percentages = (text: string) => [...text.matchAll(/\]\s+(\d+)%/g)].map((m) => Number(m[1]));

for (const { backend, skip } of await backends()) {
  describe(`herald CLI on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let dataDir: string;
    /** The CLI's environment: the test server's database and credentials. */
    const env = (extra: Record<string, string> = {}) =>
      cleanEnv({
        HERALD_DATA_DIR: dataDir,
        HERALD_API_KEY: TEST_API_KEY,
        HERALD_API_SECRET: TEST_API_SECRET,
        ...(h.databaseUrl && { DATABASE_URL: h.databaseUrl }),
        ...extra,
      });

    const users = async (prefix: string, n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);
      for (let i = 0; i < n; i += 100) await h.chat.upsertUsers(ids.slice(i, i + 100).map((id) => ({ id })));
      return ids;
    };
    const createCampaign = async (id: string, userIds: string[], maxPerSecond: number | null = null) =>
      h.herald.services.campaigns.create({
        id,
        name: `Campaign ${id}`,
        sender_id: 'cli-boss',
        user_ids: userIds,
        message_template: { text: 'Hi {{ receiver.id }}' },
        create_channels: true,
        channel_template: { type: 'messaging' },
        max_messages_per_second: maxPerSecond,
      });

    before(async () => {
      h = await startHerald(backend, { loops: ['scheduler', 'sender', 'segment-sizer'] });
      // SQLite: the directory of the server's file, as HERALD_DATA_DIR/herald.db.
      dataDir = h.created.sqliteFile ? dirname(h.created.sqliteFile) : mkdtempSync(join(tmpdir(), 'herald-cli-'));
      await h.chat.upsertUsers([{ id: 'cli-boss' }]);
    });
    after(async () => {
      await h?.close();
      if (!h?.created.sqliteFile && dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('watch follows a send to completion: rising percentages, rate and ETA, exit 0', async () => {
      // 400 targets at 50 a second, 8 s: time for the CLI to start (a second or two) and look often.
      await createCampaign('cli-watch', await users('w', 400), 50);
      const started = await runCli(['campaigns', 'start', 'cli-watch'], env());
      assert.equal(started.code, 0, started.stderr);
      assert.equal(started.stdout, 'campaign "cli-watch" is in_progress\n');

      const watched = await runCli(['campaigns', 'watch', 'cli-watch', '--interval', '0.3'], env());
      assert.equal(watched.code, 0, watched.stderr);
      const lines = watched.stdout.trimEnd().split('\n');
      const seen = percentages(watched.stdout);
      assert.ok(seen.length >= 3, watched.stdout);
      assert.ok(seen.some((p) => p > 0 && p < 100), `an intermediate percentage: ${seen.join(', ')}`);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'progress never goes back');
      assert.equal(seen.at(-1), 100);
      assert.match(watched.stdout, /\d+\/400 targets, [\d,]+ targets\/s, ETA \d+s\s+in_progress/);
      assert.match(lines.at(-2)!, /^\[#{24}\] 100%\s+400\/400 targets, .* completed$/);
      assert.match(lines.at(-1)!, /^campaign "cli-watch" completed: 400 targets in \d+s$/);
      assert.ok(!watched.stdout.includes('\x1b'), 'no redraw codes when stdout is not a terminal');

      // A completed campaign: one look, exit 0.
      const again = await runCli(['campaigns', 'watch', 'cli-watch', '--json'], env());
      assert.equal(again.code, 0, again.stderr);
      const tick = JSON.parse(again.stdout);
      assert.deepEqual([tick.status, tick.targets_done, tick.targets_total, tick.progress], ['completed', 400, 400, 1]);
    });

    it('watch exits 4 when the campaign is stopped, and stop and start follow the API rules', async () => {
      // 400 targets at 5 a second: 80 s, far longer than this test takes to stop it, twice.
      await createCampaign('cli-stop', await users('s', 400), 5);
      assert.equal((await runCli(['campaigns', 'start', 'cli-stop'], env())).code, 0);
      const watch = spawnCli(['campaigns', 'watch', 'cli-stop', '--json', '--interval', '0.2'], env());
      const ticks = () => watch.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line));
      await waitFor('a tick with progress', async () => ticks().some((t) => t.targets_done > 0 && t.status === 'in_progress'));

      const stopped = await runCli(['campaigns', 'stop', 'cli-stop', '--json'], env());
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.equal(JSON.parse(stopped.stdout).status, 'stopped');
      const result = await watch.done;
      assert.equal(result.code, 4, result.stderr);
      const last = ticks().at(-1);
      assert.equal(last.status, 'stopped');
      assert.ok(last.targets_done > 0 && last.targets_done < 400, JSON.stringify(last));
      assert.equal(typeof last.rate_per_second, 'number');

      // Human output of a stopped campaign: its line, then the summary; exit 4.
      const plain = await runCli(['campaigns', 'watch', 'cli-stop'], env());
      assert.equal(plain.code, 4);
      assert.match(plain.stdout, /\n?campaign "cli-stop" stopped: [\d,]+ of 400 targets done\n$/);

      // Stop is idempotent, as the API's is; start resumes.
      const twice = await runCli(['campaigns', 'stop', 'cli-stop'], env());
      assert.deepEqual([twice.code, twice.stdout], [0, 'campaign "cli-stop" is stopped\n']);
      const resumed = await runCli(['campaigns', 'start', 'cli-stop'], env());
      assert.deepEqual([resumed.code, resumed.stdout], [0, 'campaign "cli-stop" is in_progress\n']);

      // On a terminal the bar is redrawn in place: carriage return, erase the line, redraw.
      const terminal = process.platform === 'linux' ? spawnCli(['campaigns', 'watch', 'cli-stop', '--interval', '0.2'], env(), true) : undefined;
      const redraws = () => terminal!.stdout().split(ERASE_LINE).length - 1;
      if (terminal) await waitFor('two redraws', async () => redraws() >= 2);
      const refused = await runCli(['campaigns', 'start', 'cli-stop'], env());
      assert.equal(refused.code, 1);
      assert.equal(refused.stderr, 'herald: campaign "cli-stop" cannot be started: it is already in_progress\n');
      assert.equal((await runCli(['campaigns', 'stop', 'cli-stop'], env())).code, 0);
      if (terminal) {
        const { code, stdout } = await terminal.done;
        assert.equal(code, 4);
        assert.ok(redraws() >= 2);
        // A terminal turns \n into \r\n.
        const lastDraw = stdout.slice(stdout.lastIndexOf(ERASE_LINE) + ERASE_LINE.length);
        assert.match(lastDraw, /^\[[#.]{24}\]\s+\d+%\s+[\d,]+\/400 targets, [\d,?]+ targets\/s\s+stopped\r?\ncampaign "cli-stop" stopped: [\d,]+ of 400 targets done\r?\n$/);
      }
    });

    it('start and stop refuse as the API does, with its messages, and exit 1', async () => {
      await createCampaign('cli-draft', ['cli-boss']);
      const neverStarted = await runCli(['campaigns', 'stop', 'cli-draft'], env());
      assert.equal(neverStarted.code, 1);
      assert.equal(neverStarted.stderr, 'herald: campaign "cli-draft" cannot be stopped: it was never started\n');
      const api = await rawCall(h.baseURL, 'POST', '/campaigns/cli-draft/stop', { body: '{}' });
      assert.equal(api.status, 400);
      assert.ok(String(api.body.message).includes('campaign "cli-draft" cannot be stopped: it was never started'), api.text);

      const completed = await runCli(['campaigns', 'start', 'cli-watch'], env());
      assert.equal(completed.code, 1);
      assert.match(completed.stderr, /^herald: campaign "cli-watch" cannot be started: it is completed; campaigns are sent once/);

      const draftWatch = await runCli(['campaigns', 'watch', 'cli-draft'], env());
      assert.equal(draftWatch.code, 1);
      assert.match(draftWatch.stderr, /campaign "cli-draft" is a draft .*herald campaigns start cli-draft/);

      const unknownArgs = [['campaigns', 'start', 'nope'], ['campaigns', 'stop', 'nope'], ['campaigns', 'watch', 'nope']];
      for (const [i, unknown] of (await Promise.all(unknownArgs.map((args) => runCli(args, env())))).entries()) {
        assert.equal(unknown.code, 1, unknownArgs[i].join(' '));
        assert.equal(unknown.stderr, 'herald: campaign "nope" does not exist\n');
        assert.equal(unknown.stdout, '');
      }
    });

    it('campaigns list prints a table, --json an array, filtered by --status and cut by --limit', async () => {
      const table = await runCli(['campaigns', 'list'], env());
      assert.equal(table.code, 0, table.stderr);
      const [header, ...rows] = table.stdout.trimEnd().split('\n');
      assert.match(header, /^ID\s+NAME\s+STATUS\s+DONE\/TOTAL\s+PROGRESS\s+CREATED$/);
      assert.equal(rows.length, 3);
      // Newest first.
      assert.match(rows[0], /^cli-draft\s+Campaign cli-draft\s+draft\s+0\/0\s+0%\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      assert.match(rows[2], /^cli-watch\s+Campaign cli-watch\s+completed\s+400\/400\s+100%\s+\d{4}-/);
      assert.match(rows[1], /^cli-stop\s+Campaign cli-stop\s+stopped\s+[\d,]+\/400\s+\d+%/);

      const json = await runCli(['campaigns', 'list', '--json'], env());
      assert.equal(json.code, 0, json.stderr);
      const listed = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
      assert.deepEqual(listed.map((c) => c.id), ['cli-draft', 'cli-stop', 'cli-watch']);
      const watched = listed[2];
      assert.deepEqual(
        [watched.name, watched.status, watched.targets_done, watched.targets_total, watched.progress],
        ['Campaign cli-watch', 'completed', 400, 400, 1],
      );
      assert.match(String(watched.created_at), /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.match(String(watched.completed_at), /^\d{4}-\d\d-\d\dT.*Z$/);

      const completed = JSON.parse((await runCli(['campaigns', 'list', '--json', '--status', 'completed'], env())).stdout);
      assert.deepEqual(completed.map((c: { id: string }) => c.id), ['cli-watch']);
      const one = JSON.parse((await runCli(['campaigns', 'list', '--json', '--limit', '1'], env())).stdout);
      assert.deepEqual(one.map((c: { id: string }) => c.id), ['cli-draft']);

      const badStatus = await runCli(['campaigns', 'list', '--status', 'sending'], env());
      assert.equal(badStatus.code, 2);
      assert.match(badStatus.stderr, /^herald: --status must be one of draft, scheduled, in_progress, stopped, completed\n/);
    });

    it('segments list: id, type, name, size and when the size was computed', async () => {
      const empty = await runCli(['segments', 'list'], env());
      assert.deepEqual([empty.code, empty.stdout], [0, '(none)\n']);
      await h.herald.services.segments.create({ id: 'cli-seg-targets', type: 'user', name: 'Picked' });
      await h.herald.services.segments.addTargets('cli-seg-targets', ['w-0001', 'w-0002', 'w-0003']);
      await h.herald.services.segments.create({ id: 'cli-seg-filter', type: 'user', name: 'Watchers', filter: { id: { $in: ['w-0001', 'w-0002', 'w-0003', 'w-0004', 'w-0005'] } } });
      await waitFor('the filter segment sized', async () => (await h.herald.services.segments.get('cli-seg-filter')).size_computed_at !== null);

      const json = await runCli(['segments', 'list', '--json'], env());
      assert.equal(json.code, 0, json.stderr);
      const byId = new Map((JSON.parse(json.stdout) as Array<Record<string, unknown>>).map((s) => [s.id, s]));
      assert.deepEqual([...byId.keys()].sort(), ['cli-seg-filter', 'cli-seg-targets']);
      assert.deepEqual(
        { ...byId.get('cli-seg-filter'), size_computed_at: typeof byId.get('cli-seg-filter')!.size_computed_at, created_at: 'x' },
        { id: 'cli-seg-filter', type: 'user', name: 'Watchers', size: 5, size_computed_at: 'string', created_at: 'x' },
      );
      assert.equal(byId.get('cli-seg-targets')!.size, 3);

      const table = await runCli(['segments', 'list'], env());
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^ID\s+TYPE\s+NAME\s+SIZE\s+SIZE COMPUTED AT$/);
      assert.ok(lines.some((l) => /^cli-seg-filter\s+user\s+Watchers\s+5\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/.test(l)), table.stdout);
      assert.ok(lines.some((l) => /^cli-seg-targets\s+user\s+Picked\s+3\s+/.test(l)), table.stdout);
    });

    it('token prints a user JWT that a chat client connects with', async () => {
      const result = await runCli(['token', 'cli-reader', '--expires', '30m'], env());
      assert.equal(result.code, 0, result.stderr);
      const token = result.stdout.trim();
      assert.equal(result.stdout, `${token}\n`, 'only the token on stdout');
      assert.match(result.stderr, /^user token for "cli-reader", valid until \d{4}-/);
      const claims = decodeJwt(token);
      assert.deepEqual(await verifier.verify(token), { kind: 'user', userId: 'cli-reader', issuedAt: claims.iat });
      assert.equal(claims.user_id, 'cli-reader');
      assert.equal(claims.exp! - claims.iat!, 30 * 60);
      assert.ok(Math.abs(claims.exp! - (nowSeconds() + 1800)) < 60);

      const reader = await connectClient(h.baseURL, 'cli-reader', { token });
      try {
        assert.equal(reader.client.userID, 'cli-reader');
        assert.ok(reader.client.wsConnection?.isHealthy, 'connected over the WebSocket');
      } finally {
        await reader.client.disconnectUser();
      }

      const json = JSON.parse((await runCli(['token', 'cli-reader', '--json'], env())).stdout);
      const exp = decodeJwt(json.token).exp!;
      assert.equal(json.user_id, 'cli-reader');
      assert.equal(exp - decodeJwt(json.token).iat!, 24 * 3600, 'the default is 24h');
      assert.equal(json.expires_at, new Date(exp * 1000).toISOString());

      const [week, seconds, badDuration] = await Promise.all(['7d', '90s', '3 weeks'].map((e) => runCli(['token', 'u', '--expires', e], env())));
      assert.equal(decodeJwt(week.stdout.trim()).exp! - decodeJwt(week.stdout.trim()).iat!, 7 * 86_400);
      assert.equal(decodeJwt(seconds.stdout.trim()).exp! - decodeJwt(seconds.stdout.trim()).iat!, 90);
      assert.equal(badDuration.code, 2);
      assert.match(badDuration.stderr, /--expires must be a duration such as 30m, 24h or 7d/);
      const badUser = await runCli(['token', 'no spaces'], env());
      assert.equal(badUser.code, 1);
      assert.match(badUser.stderr, /^herald: user_id is required and must be at most 255 letters/);
    });

    it('dashboard-link: the server address, a 12 h server token and the key in the fragment', async () => {
      const result = await runCli(['dashboard-link'], env({ HOST: '127.0.0.1', PORT: '4321' }));
      assert.equal(result.code, 0, result.stderr);
      const match = /^http:\/\/127\.0\.0\.1:4321\/dashboard\/#token=([\w-]+\.[\w-]+\.[\w-]+)&key=herald-test-key\n$/.exec(result.stdout);
      assert.ok(match, result.stdout);
      const token = match[1];
      assert.deepEqual(await verifier.verify(token), { kind: 'server' });
      const claims = decodeJwt(token);
      assert.equal(claims.exp! - claims.iat!, 12 * 3600);
      assert.ok(Math.abs(claims.exp! - (nowSeconds() + 12 * 3600)) < 60);
      assert.match(result.stderr, /valid until .*share it with no one/);

      const other = await runCli(['dashboard-link', '--host', 'herald.internal', '--port', '8080', '--json'], env());
      const { url, expires_at } = JSON.parse(other.stdout);
      assert.match(url, /^http:\/\/herald\.internal:8080\/dashboard\/#token=[\w.-]+&key=herald-test-key$/);
      assert.equal(expires_at, new Date(decodeJwt(new URLSearchParams(new URL(url).hash.slice(1)).get('token')!).exp! * 1000).toISOString());
      // The server token works on the API, as the console will use it.
      const fragment = new URLSearchParams(new URL(url).hash.slice(1));
      const api = await rawCall(h.baseURL, 'GET', '/campaigns/cli-watch', { token: fragment.get('token'), apiKey: fragment.get('key') });
      assert.equal(api.status, 200, api.text);

      const everywhere = await runCli(['dashboard-link'], env({ HOST: '0.0.0.0', PORT: '3300' }));
      assert.match(everywhere.stdout, /^http:\/\/localhost:3300\/dashboard\/#token=/);
      assert.equal((await runCli(['dashboard-link', '--port', '0'], env())).code, 2);
    });
  });
}

describe('herald CLI without a usable configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an unreachable database: exit 1, naming it', async () => {
    const port = await freePort();
    const result = await runCli(['campaigns', 'list'], cleanEnv({ DATABASE_URL: `postgres://postgres:pw@127.0.0.1:${port}/herald` }));
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `herald: cannot open postgres postgres://postgres:***@127.0.0.1:${port}/herald: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('no credentials: token and dashboard-link exit 1 without generating any', async () => {
    const env = cleanEnv({ HERALD_DATA_DIR: join(dir, 'empty') });
    for (const result of await Promise.all([['token', 'ann'], ['dashboard-link']].map((args) => runCli(args, env)))) {
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^herald: no API credentials: set HERALD_API_KEY and HERALD_API_SECRET .* start the server once/);
      assert.equal(result.stdout, '');
    }
  });

  it('signs with the credentials the server generated in the data directory', async () => {
    const dataDir = join(dir, 'generated');
    const key = 'generatedkey';
    const secret = 'generated-secret-of-enough-length-0123';
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ api_key: key, api_secret: secret }));
    const result = await runCli(['dashboard-link', '--json'], cleanEnv({ HERALD_DATA_DIR: dataDir }));
    assert.equal(result.code, 0, result.stderr);
    const fragment = new URLSearchParams(new URL(JSON.parse(result.stdout).url).hash.slice(1));
    assert.equal(fragment.get('key'), key);
    const serverVerifier = new TokenVerifier({ apiKey: key, apiSecret: secret });
    assert.deepEqual(await serverVerifier.verify(fragment.get('token')!), { kind: 'server' });
  });

  it('usage errors exit 2 with the usage text; help exits 0', async () => {
    const usageArgs = [['campaigns'], ['campaigns', 'list', 'extra'], ['campaigns', 'watch'], ['segments', 'drop'], ['frobnicate'], ['campaigns', 'list', '--colour']];
    const results = await Promise.all(usageArgs.map((args) => runCli(args, cleanEnv({ HERALD_DATA_DIR: join(dir, 'usage') }))));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 2, usageArgs[i].join(' '));
      assert.match(result.stderr, /^herald: .+\n\nUsage: herald <command>/, usageArgs[i].join(' '));
    }
    const help = await runCli(['--help'], cleanEnv({}));
    assert.equal(help.code, 0);
    for (const command of ['campaigns list', 'campaigns watch', 'campaigns start', 'campaigns stop', 'segments list', 'token', 'dashboard-link', 'import users']) {
      assert.ok(help.stdout.includes(command), command);
    }
  });

  it("the server's one-time welcome prints the sign-in link, and its logs carry no token", async () => {
    const dataDir = join(dir, 'welcome');
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/server.ts'], {
      env: cleanEnv({ HERALD_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await waitFor('the welcome', async () => out.includes('herald is ready') && /\/dashboard\/#token=\S+\n/.test(out), 60_000);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const { api_key: key, api_secret: secret } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8'));
    const link = new RegExp(`^  (http://127\\.0\\.0\\.1:${port}/dashboard/#token=[\\w.-]+&key=${key})$`, 'm').exec(out);
    assert.ok(link, out);
    const token = new URLSearchParams(new URL(link[1]).hash.slice(1)).get('token')!;
    assert.deepEqual(await new TokenVerifier({ apiKey: key, apiSecret: secret }).verify(token), { kind: 'server' });
    const logLines = out.split('\n').filter((line) => line.startsWith('{'));
    assert.ok(logLines.length > 0);
    for (const line of logLines) assert.doesNotMatch(line, /eyJ|token=/, line);
  });
});

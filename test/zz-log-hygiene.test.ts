import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StreamChat } from 'stream-chat';
import { spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { TEST_API_SECRET } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { runLogDir } from './support/test-logs.js';
import { signToken } from './support/tokens.js';

/**
 * Log hygiene (issue 15): no API secret and no token in any log line. Named to run last, it
 * reads every log file of the test run (test-logs.ts): every server the suite started wrote
 * there at debug level. It also starts a Herald that generates its credentials, to check the
 * file's mode and that the secret is shown once, in the welcome, and never again.
 */
const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{4,}\.[\w-]{20,}/;

describe('logs hold no API secret and no token', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-hygiene-'));
  const output: string[] = [];
  let herald: HeraldProcess;
  before(async () => {
    // No HERALD_API_KEY / SECRET: the process generates them and prints the welcome.
    herald = await spawnHerald({ role: 'all', dataDir, output, env: { HERALD_API_KEY: '', HERALD_API_SECRET: '', LOG_LEVEL: 'debug' } });
  });
  after(async () => herald?.stop());

  it('keeps generated credentials in a 0600 file and shows the secret once, in the welcome only', async () => {
    const file = join(dataDir, 'credentials.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { api_key: key, api_secret: secret } = JSON.parse(readFileSync(file, 'utf8')) as { api_key: string; api_secret: string };

    // Work that could leak: good, expired and forged tokens, a long poll with its token, errors.
    const chat = new StreamChat(key, secret, { baseURL: herald.baseURL });
    await chat.upsertUsers([{ id: 'ann' }]);
    const token = chat.createToken('ann');
    const user = `?api_key=${key}`;
    await rawCall(herald.baseURL, 'GET', `/unread${user}`, { apiKey: null, token });
    await rawCall(herald.baseURL, 'GET', `/unread${user}`, { apiKey: null, token: chat.createToken('ann', Math.floor(Date.now() / 1000) - 60) });
    await rawCall(herald.baseURL, 'GET', `/unread${user}`, { apiKey: null, token: `${token}x` });
    await rawCall(herald.baseURL, 'GET', `/longpoll${user}&json=${encodeURIComponent(JSON.stringify({ user_id: 'ann' }))}&authorization=${token}`, { apiKey: null, token });
    await rawCall(herald.baseURL, 'POST', `/channels/messaging/x/message${user}`, { apiKey: null, token: signToken({ server: true }, secret), body: '{"message":' });
    await herald.stop();

    const log = output.join('');
    assert.ok(log.length > 0);
    const welcome = log.indexOf('Herald generated API credentials');
    assert.ok(welcome >= 0, 'the welcome was printed');
    const welcomeEnd = log.indexOf('\n\n', log.indexOf('Dashboard', welcome)) + 2;
    const rest = log.slice(0, welcome) + log.slice(welcomeEnd);
    assert.ok(log.slice(welcome, welcomeEnd).includes(secret), 'the welcome shows the secret');
    assert.ok(!rest.includes(secret), 'and nothing else does');
    assert.doesNotMatch(rest, JWT);
  });

  it('finds neither in any log line of the whole test run', () => {
    const dir = runLogDir();
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    assert.ok(files.length > 0, `log files in ${dir}`);
    let lines = 0;
    for (const name of files) {
      const text = readFileSync(join(dir, name), 'utf8');
      // The hygiene process above logged its own generated secret's welcome: checked there.
      const start = text.indexOf('Herald generated API credentials');
      const scanned = start < 0 ? text : text.slice(0, start) + text.slice(text.indexOf('\n\n', text.indexOf('Dashboard', start)) + 2);
      lines += scanned.split('\n').length;
      assert.ok(!scanned.includes(TEST_API_SECRET), `${name} holds the test API secret`);
      const jwt = JWT.exec(scanned);
      assert.equal(jwt, null, `${name} holds a token: ${jwt?.[0].slice(0, 40)}…`);
    }
    assert.ok(lines > 0);
    console.log(`log hygiene: ${files.length} log files, ${lines} lines scanned in ${dir}`);
  });
});

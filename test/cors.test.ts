import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sqliteBackend } from './support/backends.js';
import { startHerald, TEST_API_KEY, type RunningHerald } from './support/herald-server.js';
import { signToken } from './support/tokens.js';

/** Browser chat clients (issue 10): a preflight before auth, stream-chat's headers allowed. */
describe('CORS for browser clients', () => {
  let open: RunningHerald;
  let listed: RunningHerald;
  before(async () => {
    open = await startHerald(sqliteBackend, { loops: [] });
    listed = await startHerald(sqliteBackend, { loops: [], corsOrigins: ['https://app.example'] });
  });
  after(async () => Promise.all([open?.close(), listed?.close()]));

  const preflight = (h: RunningHerald, origin: string) =>
    fetch(`${h.baseURL}/channels?api_key=${TEST_API_KEY}`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,stream-auth-type,x-stream-client' },
    });

  it('answers a preflight without a token, allowing stream-chat\'s headers', async () => {
    const answer = await preflight(open, 'https://anywhere.example');
    assert.equal(answer.status, 204);
    assert.equal(answer.headers.get('access-control-allow-origin'), '*');
    const allowed = answer.headers.get('access-control-allow-headers')?.toLowerCase() ?? '';
    for (const header of ['authorization', 'content-type', 'stream-auth-type', 'x-stream-client']) assert.ok(allowed.includes(header), allowed);
    assert.match(answer.headers.get('access-control-allow-methods') ?? '', /POST/);
  });

  it('marks real answers, errors included, so the browser can read them', async () => {
    const ok = await fetch(`${open.baseURL}/users?api_key=${TEST_API_KEY}&payload=${encodeURIComponent('{"filter_conditions":{}}')}`, {
      headers: { Origin: 'https://anywhere.example', Authorization: signToken({ user_id: 'ann' }), 'stream-auth-type': 'jwt' },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), '*');
    const refused = await fetch(`${open.baseURL}/users?api_key=nope`, { headers: { Origin: 'https://anywhere.example' } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), '*');
  });

  it('allows only the listed origins when HERALD_CORS_ORIGINS names some', async () => {
    const yes = await preflight(listed, 'https://app.example');
    assert.equal(yes.headers.get('access-control-allow-origin'), 'https://app.example');
    const no = await preflight(listed, 'https://evil.example');
    assert.equal(no.headers.get('access-control-allow-origin'), null);
  });
});

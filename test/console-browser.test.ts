import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../scripts/build-console.js';
import { backends } from './support/backends.js';
import { browserUnavailable, launchBrowser } from './support/browser.js';
import { startHerald, TEST_API_KEY, TEST_API_SECRET, type RunningHerald } from './support/herald-server.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The web console (console/, served at /dashboard/) in Debian's Chromium against a real Herald
 * with its background loops running: sign in with the dashboard link and with key + secret, a
 * filter segment with its count, a campaign made in the form with a live preview and sent to
 * completion without a reload, the per-target log, stop and resume of a throttled campaign, an
 * error shown next to its field, webhooks and dead letters. With HERALD_SCREENSHOTS=1,
 * screenshots of every page go to docs/screenshots/ (from the SQLite run).
 */
const consoleDir = fileURLToPath(new URL('../dist/console/', import.meta.url));
const SHOTS = 'docs/screenshots';
let built: Promise<unknown> | undefined;
const browserSkip = browserUnavailable();

/** The link `herald dashboard-link` prints: a 12-hour server token and the key, in the fragment. */
const dashboardLink = (baseURL: string) =>
  `${baseURL}/dashboard/#token=${signToken({ server: true, exp: Math.floor(Date.now() / 1000) + 12 * 3600 })}&key=${TEST_API_KEY}`;

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

/** Waits until the campaign's status is `status`, read through the API. */
async function campaignReaches(h: RunningHerald, id: string, status: string): Promise<void> {
  await waitFor(`campaign ${id} ${status}`, async () => (await h.chat.campaign(id).get()).campaign.status === status, 30_000);
}

for (const { backend, skip } of await backends()) {
  describe(`the web console in Chromium on ${backend.name}`, { skip: browserSkip || skip }, () => {
    // Only when asked (HERALD_SCREENSHOTS=1): a plain `npm test` must not rewrite tracked files.
    const shoot = backend.name === 'sqlite' && process.env.HERALD_SCREENSHOTS === '1';
    let h: RunningHerald;
    let browser: Browser;
    let page: Page;
    let receiver: WebhookReceiver;
    const pageErrors: string[] = [];
    const screenshot = async (name: string) => {
      if (shoot) await page.screenshot({ path: `${SHOTS}/${name}.png` });
    };

    before(async () => {
      built ??= buildConsole();
      await built;
      mkdirSync(SHOTS, { recursive: true });
      h = await startHerald(backend, { consoleDir, webhooks: { retryWindowMs: 300, maxRetryDelayMs: 100 } });
      receiver = await new WebhookReceiver().start();
      await h.chat.upsertUsers([
        { id: 'boss', name: 'The Boss' },
        { id: 'ann', name: 'Ann', country: 'NL' },
        { id: 'bob', name: 'Bob', country: 'NL' },
        { id: 'cy', name: 'Cy', country: 'BE' },
      ]);
      await h.chat.upsertUsers(Array.from({ length: 40 }, (_, i) => ({ id: `t-${String(i).padStart(3, '0')}`, name: `T ${i}` })));
      browser = await launchBrowser();
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      // A CSP violation or a script error is a console error; refused API calls (4xx) are expected.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().includes('Failed to load resource')) pageErrors.push(message.text());
      });
    });
    after(async () => {
      await browser?.close();
      await receiver?.stop();
      await h?.close();
    });

    it('is served at /dashboard and /dashboard/, with its files, to any caller', async () => {
      for (const path of ['/dashboard', '/dashboard/']) {
        const page = await fetch(`${h.baseURL}${path}`);
        assert.equal(page.status, 200, path);
        assert.match(await page.text(), /<script type="module" src="\.\/console\.js">/);
        assert.equal(page.headers.get('x-frame-options'), 'DENY');
      }
      const script = await fetch(`${h.baseURL}/dashboard/console.js`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type') ?? '', /javascript/);
      assert.equal((await fetch(`${h.baseURL}/dashboard/nothing.js`)).status, 404);
    });

    it('signs in with the dashboard link and takes the token out of the address bar', async () => {
      const response = await page.goto(dashboardLink(h.baseURL));
      assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      await heading(page, 'Campaigns');
      assert.equal(await page.title(), 'Campaigns · Herald console');
      assert.ok(page.url().endsWith('/dashboard/#/campaigns'), page.url());
      const stored = await page.evaluate<string | null>("sessionStorage.getItem('herald.console.credentials')");
      assert.match(stored ?? '', new RegExp(TEST_API_KEY));
    });

    it('creates a filter segment and shows its live count, then its computed size', async () => {
      await page.getByRole('link', { name: 'Segments', exact: true }).click();
      await heading(page, 'Segments');
      await page.getByRole('link', { name: 'New segment' }).click();
      await heading(page, 'New segment');
      await page.getByLabel('Id (optional)').fill('dutch');
      await page.getByLabel('Name', { exact: true }).fill('Dutch users');
      await page.getByLabel('Filter (JSON)').fill('{"country": "NL"}');
      await page.getByRole('status', { name: 'Live match count' }).filter({ hasText: '2 users match' }).waitFor();
      await screenshot('console-segment-new');
      await page.getByRole('button', { name: 'Create segment' }).click();
      await heading(page, 'Segment: Dutch users');
      await page.locator('dd[data-field="size"]', { hasText: /^2$/ }).waitFor({ timeout: 15_000 });
      await page.getByRole('link', { name: '← All segments' }).click();
      await page.getByRole('table', { name: 'Segments' }).getByRole('row', { name: /Dutch users/ }).locator('td[data-field="size"]', { hasText: /^2$/ }).waitFor();
      await screenshot('console-segments');
    });

    let springId = '';
    it('makes a campaign in the form, previews it with the receiver name, starts it and sees it complete without a reload', async () => {
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await heading(page, 'New campaign');
      await page.getByLabel('Name', { exact: true }).fill('Spring sale');
      await page.getByLabel('Sender user id').fill('boss');
      await page.getByRole('checkbox', { name: /Dutch users/ }).check();
      await page.getByLabel('Message template').fill('Hi {{ receiver.name }}, spring sale!');
      await page.getByLabel('Channel id template').fill('spring-{{ receiver.id }}');
      const samples = page.getByRole('list', { name: 'Preview samples' });
      await samples.getByText('Hi Ann, spring sale!').waitFor({ timeout: 15_000 });
      await page.locator('dd[data-count="audience"]', { hasText: /^2$/ }).waitFor();
      springId = decodeURIComponent(/#\/campaigns\/([^/]+)\/edit$/.exec(page.url())?.[1] ?? '');
      assert.ok(springId, `the draft's edit page: ${page.url()}`);
      await screenshot('console-campaign-form');

      let loads = 0;
      page.on('load', () => loads++);
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      await heading(page, 'Campaign: Spring sale');
      const progress = page.getByRole('progressbar', { name: 'Campaign progress' });
      await waitFor('the progress bar at 100%', async () => (await progress.getAttribute('value')) === '100');
      await page.locator('.page-head .badge', { hasText: 'completed' }).waitFor({ timeout: 20_000 });
      await page.locator('dd[data-count="sent"]', { hasText: /^2$/ }).waitFor();
      assert.equal(loads, 0, 'the page was not reloaded');
      await campaignReaches(h, springId, 'completed');
    });

    it('looks up a sent target and a skipped one, and lists the skipped', async () => {
      await page.getByLabel('Target id (user id or channel cid)').fill('ann');
      await page.getByRole('button', { name: 'Look up' }).click();
      const annRow = page.getByRole('definition').filter({ hasText: /^sent$/ });
      await annRow.waitFor();
      assert.notEqual(await text(page, 'dd[data-field="message_id"]'), '—');
      assert.equal(await text(page, 'dd[data-field="channel_cid"]'), 'messaging:spring-ann');

      // No create_channels: cy has no spring channel and is skipped; ann has one and gets it.
      const reminder = h.chat.campaign({
        name: 'Spring reminder', sender_id: 'boss', user_ids: ['ann', 'cy'], create_channels: false,
        channel_template: { type: 'messaging', id: 'spring-{{ receiver.id }}' },
        message_template: { text: 'Last days, {{ receiver.name }}!' },
      } as never);
      await reminder.create();
      await reminder.start();
      await campaignReaches(h, reminder.id!, 'completed');
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.getByRole('link', { name: 'Spring reminder' }).click();
      await heading(page, 'Campaign: Spring reminder');
      await page.getByLabel('Target id (user id or channel cid)').fill('cy');
      await page.getByRole('button', { name: 'Look up' }).click();
      await page.locator('dd[data-field="status"]', { hasText: 'skipped' }).waitFor();
      assert.equal(await text(page, 'dd[data-field="reason"]'), 'channel_missing');
      const problems = page.getByRole('table', { name: 'Skipped and failed targets' });
      await problems.getByRole('row', { name: /cy skipped channel_missing/ }).waitFor();
      await page.locator('dd[data-count="skipped"]', { hasText: /^1$/ }).waitFor();
      await page.locator('dd[data-count="pending"]', { hasText: /^0$/ }).waitFor();

      // Recall, behind its confirmation: ann's message is deleted.
      await page.getByRole('button', { name: 'Recall messages…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Recall every message of this campaign?' });
      await dialog.getByRole('button', { name: 'Recall', exact: true }).click();
      await page.locator('[data-field="recall_status"]', { hasText: 'completed' }).waitFor({ timeout: 15_000 });
      await page.locator('[data-field="stats_messages_recalled"]', { hasText: /^1$/ }).waitFor();
      assert.equal(await dialog.isVisible(), false);
    });

    it('stops and resumes a throttled campaign from its page, and changes its throttle', async () => {
      // Through the generic request: the SDK's campaign object drops Herald's throttle field.
      const { campaign: created } = await h.chat.post<{ campaign: { id: string } }>(`${h.baseURL}/campaigns`, {
        name: 'Throttled welcome', sender_id: 'boss', user_ids: Array.from({ length: 40 }, (_, i) => `t-${String(i).padStart(3, '0')}`),
        create_channels: true, skip_webhook: true, channel_template: { type: 'messaging', id: 'welcome-{{ receiver.id }}' },
        message_template: { text: 'Welcome, {{ receiver.name }}!' }, max_messages_per_second: 5,
      });
      const throttled = h.chat.campaign(created.id);
      await throttled.start();
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.getByRole('link', { name: 'Throttled welcome' }).click();
      await heading(page, 'Campaign: Throttled welcome');
      const badge = page.locator('.page-head .badge');
      await badge.filter({ hasText: 'in progress' }).waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await badge.filter({ hasText: 'stopped' }).waitFor();
      await campaignReaches(h, throttled.id!, 'stopped');
      const sentWhenStopped = Number(await text(page, 'dd[data-count="sent"]'));
      assert.ok(sentWhenStopped < 40, `stopped before the end (${sentWhenStopped} sent)`);
      await page.getByRole('button', { name: 'Resume', exact: true }).click();
      await badge.filter({ hasText: 'in progress' }).waitFor();
      await campaignReaches(h, throttled.id!, 'in_progress');

      // An invalid throttle: the API's 400 shows under the field, tied to it for assistive tech.
      const throttle = page.getByLabel('Max messages per second (empty: no limit)');
      await throttle.fill('0');
      await page.getByRole('button', { name: 'Save throttle' }).click();
      const error = page.locator('#f-max_messages_per_second-error');
      await error.filter({ hasText: 'max_messages_per_second must be an integer from 1 to 1000000' }).waitFor();
      assert.match((await throttle.getAttribute('aria-describedby')) ?? '', /f-max_messages_per_second-error/);
      await throttle.fill('8');
      await page.getByRole('button', { name: 'Save throttle' }).click();
      await page.getByText('Throttle set to 8 messages a second.').waitFor();
      assert.equal(((await throttled.get()).campaign as { max_messages_per_second?: number }).max_messages_per_second, 8);
      // While it runs: a measured rate and the time left.
      await page.locator('dd', { hasText: /messages\/s$/ }).waitFor({ timeout: 10_000 });
      await screenshot('console-campaign');
      await campaignReaches(h, throttled.id!, 'completed');
      await page.locator('.page-head .badge', { hasText: 'completed' }).waitFor({ timeout: 10_000 });
    });

    it('shows the API error next to the field it names, then previews and test-sends the fixed draft', async () => {
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await page.getByRole('link', { name: 'New campaign' }).click();
      await heading(page, 'New campaign');
      await page.getByLabel('Name', { exact: true }).fill('Welcome test');
      await page.getByLabel('Sender user id').fill('ghost');
      await page.getByLabel('Message template').fill('Hello');
      const error = page.locator('#f-sender_id-error');
      await error.filter({ hasText: 'sender_id "ghost" does not exist' }).waitFor({ timeout: 10_000 });
      assert.match((await page.getByLabel('Sender user id').getAttribute('aria-describedby')) ?? '', /f-sender_id-error/);
      await page.getByRole('status').filter({ hasText: 'Not saved' }).waitFor();

      // Fixed, the draft saves itself; on its page, a preview of chosen targets and a test send.
      await page.getByLabel('Sender user id').fill('boss');
      await page.getByLabel('Message template').fill('Hello {{ receiver.name }}');
      await page.getByRole('status').filter({ hasText: 'Draft saved' }).waitFor({ timeout: 10_000 });
      await page.getByRole('link', { name: 'Open campaign page' }).click();
      await page.getByLabel('or these target ids').fill('bob');
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.getByRole('list', { name: 'Preview samples' }).getByText('Hello Bob').waitFor();
      await page.getByLabel('Send a test to user ids (up to 20)').fill('ann, ghost');
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.locator('#f-user_ids-error', { hasText: 'user_ids do not exist: ghost' }).waitFor();
      await page.getByLabel('Send a test to user ids (up to 20)').fill('ann');
      await page.getByRole('button', { name: 'Send test' }).click();
      await page.getByRole('list', { name: 'Test messages' }).getByText('sent “Hello Ann”').waitFor();
    });

    it('edits the webhook settings, lists dead letters and retries one', async () => {
      receiver.mode = 'fail';
      await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
      await heading(page, 'Webhooks');
      await page.getByLabel('Webhook URL (every event; empty: none)').fill(receiver.url);
      await page.getByRole('button', { name: 'Save webhooks' }).click();
      await page.getByText('Webhook settings saved.').waitFor();
      await h.chat.channel('messaging', 'spring-ann').sendMessage({ text: 'Any questions?', user_id: 'boss' } as never);
      const deadLetters = page.getByRole('table', { name: 'Dead letters' });
      await deadLetters.getByRole('row', { name: /message\.new/ }).first().waitFor({ timeout: 20_000 });
      await screenshot('console-webhooks');
      receiver.mode = 'ok';
      await deadLetters.getByRole('row', { name: /message\.new/ }).first().getByRole('button', { name: /^Retry/ }).click();
      await page.getByText(/queued for delivery again/).waitFor();
      await waitFor('the retried event delivered', async () => receiver.accepted.some((d) => d.event.type === 'message.new'), 15_000);
    });

    it('signs out, refuses a wrong secret, and signs in with the key and secret', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'Sign in');
      assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('herald.console.credentials')"), null);
      await page.getByLabel('API key').fill(TEST_API_KEY);
      await page.getByLabel('API secret').fill('not-the-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: 'Herald refused these credentials' }).waitFor();
      await page.getByLabel('API secret').fill(TEST_API_SECRET);
      await screenshot('console-sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      // Back on the page the console was showing.
      await heading(page, 'Webhooks');
      await page.getByRole('link', { name: 'Campaigns', exact: true }).click();
      await heading(page, 'Campaigns');
      const rows = page.getByRole('table', { name: 'Campaigns' }).getByRole('row');
      await rows.filter({ hasText: 'Throttled welcome' }).getByRole('progressbar').waitFor();
      assert.equal(await rows.filter({ hasText: 'Spring sale' }).getByRole('progressbar').getAttribute('value'), '100');
      await screenshot('console-campaigns');
      assert.deepEqual(pageErrors, []);
    });
  });
}

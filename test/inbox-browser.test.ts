import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { StreamChat } from 'stream-chat';
import { buildExamples } from '../scripts/build-examples.js';
import { browserUnavailable, launchBrowser } from './support/browser.js';
import { spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { TEST_API_KEY, TEST_API_SECRET } from './support/herald-server.js';

/**
 * Issue 10 in a real browser: the example inbox (examples/inbox), served by a Herald process
 * at /examples/inbox/, signs in with a user token and shows a campaign message live.
 */
describe('the example inbox in Chromium', { skip: browserUnavailable() }, () => {
  let dir: string;
  let herald: HeraldProcess;
  let browser: Browser;
  before(async () => {
    await buildExamples();
    dir = mkdtempSync(join(tmpdir(), 'herald-inbox-'));
    herald = await spawnHerald({ role: 'all', dataDir: dir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await herald?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a campaign started through the API without a reload', async () => {
    const server = new StreamChat(TEST_API_KEY, TEST_API_SECRET, { baseURL: herald.baseURL });
    await server.upsertUsers([{ id: 'shop', name: 'The Shop' }, { id: 'ann', name: 'Ann' }]);
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const token = server.createToken('ann');
    await page.goto(`${herald.baseURL}/examples/inbox/#key=${TEST_API_KEY}&user=ann&token=${token}`);
    await page.getByRole('status').filter({ hasText: 'signed in as ann' }).waitFor();
    assert.equal(await page.locator('#channels li').count(), 0, 'no channels before the campaign');
    let reloads = 0;
    page.on('load', () => reloads++);

    const campaign = server.campaign({
      sender_id: 'shop',
      user_ids: ['ann'],
      create_channels: true,
      channel_template: { type: 'messaging', id: 'shop-{{ receiver.id }}' },
      message_template: { text: 'Hi {{ receiver.name }}, our spring sale starts today!' },
    });
    await campaign.create();
    await campaign.start();
    await page.locator('#messages .text', { hasText: 'Hi Ann, our spring sale starts today!' }).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#channels .name').first().textContent(), 'The Shop');

    // A later message in the open channel shows up too.
    await server.channel('messaging', 'shop-ann').sendMessage({ text: 'Use code SPRING at checkout.', user_id: 'shop' });
    await page.locator('#messages .text', { hasText: 'Use code SPRING at checkout.' }).waitFor();
    // The open channel is read as messages arrive: no unread badge.
    await page.locator('#channels .unread:empty').waitFor({ state: 'attached' });
    assert.equal(reloads, 0, 'the page was not reloaded');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: 'docs/screenshots/inbox.png' });
  });
});

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.HERALD_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * Debian's Chromium, driven by playwright-core (no browser download). Tests skip with this
 * reason when there is none, except where HERALD_REQUIRE_BROWSER=1 (CI), where they fail.
 */
export function browserUnavailable(): string | false {
  if (CANDIDATES.some((path) => path && existsSync(path))) return false;
  const reason = 'browser tests skipped: no Chromium found (apt-get install chromium, or set HERALD_CHROMIUM)';
  if (process.env.HERALD_REQUIRE_BROWSER === '1') throw new Error(`HERALD_REQUIRE_BROWSER=1 but ${reason}`);
  console.warn(`# ${reason}`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  const executablePath = CANDIDATES.find((path) => path && existsSync(path))!;
  // Without the networking flags Chromium keeps trying Google's hosts, which this network refuses.
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

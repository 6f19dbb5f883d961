import { setTimeout as sleep } from 'node:timers/promises';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { systemClock } from '../domain/clock.js';
import { CliExit, expectPositionals, parseCommand, UsageError, withHerald, type CommandContext } from './cli-command.js';
import { campaignJson, durationText, fmt, jsonLine, timeText } from './cli-output.js';
import { progressBar } from './progress.js';

// A terminal redraws every second; a log or a pipe gets a line every 5 s, as an import's does.
const TTY_INTERVAL_MS = 1000;
const PLAIN_INTERVAL_MS = 5000;
// The rate is that of the last 10 s: it follows a throttle change or a delivery window opening
// within seconds, and a single slow batch does not swing the ETA.
const RATE_WINDOW_MS = 10_000;

interface Tick {
  campaign: Campaign;
  /** Targets a second, or null before there is anything to measure. */
  ratePerSecond: number | null;
  etaSeconds: number | null;
}

/**
 * `herald campaigns watch ID`: polls the campaign until it completes (exit 0) or stops (exit 4).
 * Reads only: any number of watchers may follow a send without slowing it.
 */
export async function watchCampaign(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { interval: { type: 'string' } });
  const [id] = expectPositionals(positionals, ['id'], 'campaigns watch');
  const { stdout } = ctx.io;
  const redraw = stdout.isTTY === true && !values.json;
  const intervalMs = values.interval === undefined ? (redraw ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS) : Number(values.interval) * 1000;
  if (!(intervalMs > 0)) throw new UsageError('--interval must be a positive number of seconds');

  return withHerald(ctx.config, async (herald) => {
    const rate = rateMeter();
    for (;;) {
      // One user is the smallest page: the view's users are not shown.
      const { campaign } = await herald.services.campaigns.get(id, { limit: 1 });
      if (campaign.status === CampaignStatus.draft) {
        throw new Error(`campaign "${id}" is a draft and would never progress: start it with \`herald campaigns start ${id}\``);
      }
      const tick = rate.tick(campaign);
      if (values.json) stdout.write(jsonLine({ ...campaignJson(campaign), rate_per_second: tick.ratePerSecond, eta_seconds: tick.etaSeconds }));
      else if (redraw) stdout.write(`\r\x1b[2K${describe(tick)}`);
      else stdout.write(`${describe(tick)}\n`);

      const finished = campaign.status === CampaignStatus.completed || campaign.status === CampaignStatus.stopped;
      if (finished) {
        if (!values.json) stdout.write(`${redraw ? '\n' : ''}${summary(campaign)}\n`);
        return campaign.status === CampaignStatus.completed ? CliExit.ok : CliExit.stopped;
      }
      await sleep(intervalMs);
    }
  });
}

function rateMeter() {
  const samples: Array<{ atMs: number; done: number }> = [];
  return {
    tick(campaign: Campaign): Tick {
      const { stats_targets_done: done, stats_targets_total: total, stats_started_at: startedAt } = campaign.stats;
      const atMs = performance.now();
      samples.push({ atMs, done });
      while (samples.length > 2 && atMs - samples[0].atMs > RATE_WINDOW_MS) samples.shift();
      const first = samples[0];
      let ratePerSecond: number | null = null;
      if (atMs > first.atMs) ratePerSecond = ((done - first.done) * 1000) / (atMs - first.atMs);
      // The first look has no window yet: the average since the send started.
      else if (startedAt !== null && campaign.status === CampaignStatus.inProgress) {
        const seconds = (systemClock.nowMicros() - startedAt) / 1e6;
        if (seconds > 0) ratePerSecond = done / seconds;
      }
      // While the audience is still being expanded `total` grows, so the ETA is a lower bound.
      const etaSeconds = ratePerSecond ? Math.max(0, total - done) / ratePerSecond : null;
      return { campaign, ratePerSecond, etaSeconds };
    },
  };
}

function describe({ campaign: c, ratePerSecond, etaSeconds }: Tick): string {
  if (c.status === CampaignStatus.scheduled) return `scheduled for ${timeText(c.scheduled_for)}: waiting to start`;
  const { stats_targets_done: done, stats_targets_total: total } = c.stats;
  const rate = ratePerSecond === null ? '?' : fmt(Math.round(ratePerSecond));
  const eta = c.status !== CampaignStatus.inProgress ? '' : `, ETA ${etaSeconds === null ? '?' : durationText(etaSeconds)}`;
  return `${progressBar(c.stats.progress)}  ${fmt(done)}/${fmt(total)} targets, ${rate} targets/s${eta}  ${c.status}`;
}

function summary(c: Campaign): string {
  const { stats_targets_done: done, stats_targets_total: total, stats_started_at: started, stats_completed_at: completed } = c.stats;
  if (c.status === CampaignStatus.stopped) return `campaign "${c.id}" stopped: ${fmt(done)} of ${fmt(total)} targets done`;
  const took = started !== null && completed !== null ? ` in ${durationText((completed - started) / 1e6)}` : '';
  return `campaign "${c.id}" completed: ${fmt(done)} targets${took}`;
}

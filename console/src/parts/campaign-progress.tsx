import { useEffect, useRef } from 'preact/hooks';
import { seg, type Api } from '../api';
import { useApi } from '../api-context';
import { count, duration, time } from '../format';
import { usePolling } from '../polling';
import { CampaignStatus, TargetStatus, type Campaign, type CampaignTarget } from '../wire-types';
import { ProgressBar } from './widgets';

/** Counting skipped and failed targets reads their ledger rows: one page, at most this many. */
const COUNT_CAP = 10_000;
/** The rate is measured over the polls of the last 10 s. */
const RATE_WINDOW_MS = 10_000;

interface Counted {
  n: number;
  /** More than COUNT_CAP: n is a floor. */
  capped: boolean;
}

async function countTargets(api: Api, id: string, status: string): Promise<Counted> {
  const page = await api.post<{ targets: CampaignTarget[]; next?: string }>(`/campaigns/${seg(id)}/targets/query`, {
    filter: { status: { $eq: status } },
    limit: COUNT_CAP,
  });
  return { n: page.targets.length, capped: Boolean(page.next) };
}

/**
 * The stats give sent, deferred and `progress` = done ÷ targets in the ledger so far; skipped
 * and failed are counted in the per-target log. Then the ledger's size is done ÷ progress, and
 * pending the rest. Exact while skipped and failed stay under COUNT_CAP.
 */
export function ledgerCounts(c: Campaign, skipped: Counted | undefined, failed: Counted | undefined) {
  const sent = c.stats.stats_messages_sent;
  if (!skipped || !failed) return { sent, skipped: null, failed: null, pending: null, total: null };
  const done = sent + skipped.n + failed.n;
  const exact = !skipped.capped && !failed.capped;
  const total = c.stats.progress > 0 && exact ? Math.round(done / c.stats.progress) : c.status === CampaignStatus.completed ? done : null;
  return { sent, skipped: skipped.n, failed: failed.n, pending: total === null ? null : Math.max(0, total - done), total };
}

/** Messages a second over the last polls while sending; the average over the send once it ended. */
function useSendRate(c: Campaign): number | null {
  const samples = useRef<Array<{ t: number; sent: number }>>([]);
  useEffect(() => {
    const list = samples.current;
    list.push({ t: Date.now(), sent: c.stats.stats_messages_sent });
    while (list.length > 2 && list[0].t < Date.now() - RATE_WINDOW_MS) list.shift();
  }, [c.updated_at, c.stats.stats_messages_sent, c.stats.progress]);
  if (c.status === CampaignStatus.inProgress) {
    const list = samples.current;
    const first = list[0];
    const last = list[list.length - 1];
    if (!first || last.t - first.t < 1500) return null;
    return ((last.sent - first.sent) * 1000) / (last.t - first.t);
  }
  const { stats_started_at: started, stats_completed_at: completed } = c.stats;
  if (!started || !completed) return null;
  const seconds = (Date.parse(completed) - Date.parse(started)) / 1000;
  return seconds > 0 ? c.stats.stats_messages_sent / seconds : null;
}

/** '…' while the counts load, '—' when a figure cannot be known (nothing done yet, or capped counts). */
const shown = (counted: number | null, loaded: boolean, capped?: boolean) =>
  counted === null ? (loaded ? '—' : '…') : `${count(counted)}${capped ? '+' : ''}`;

export function CampaignProgress(props: { campaign: Campaign }) {
  const api = useApi();
  const c = props.campaign;
  const live = c.status === CampaignStatus.inProgress;
  const counts = usePolling(
    async () => {
      const [skipped, failed] = await Promise.all([countTargets(api, c.id, TargetStatus.skipped), countTargets(api, c.id, TargetStatus.failed)]);
      return { skipped, failed };
    },
    live ? 1000 : 0,
    `${c.id}|${c.status}|${c.recall_status}`,
  );
  const loaded = counts.data !== undefined;
  const figures = ledgerCounts(c, counts.data?.skipped, counts.data?.failed);
  const rate = useSendRate(c);
  const eta = live && rate && figures.pending !== null ? figures.pending / rate : null;
  return (
    <section aria-labelledby="progress-title" class="panel">
      <h2 id="progress-title">Progress</h2>
      <ProgressBar fraction={c.stats.progress} label="Campaign progress" />
      <dl class="figures-grid">
        <div><dt>Sent</dt><dd data-count="sent">{count(figures.sent)}</dd></div>
        <div><dt>Skipped</dt><dd data-count="skipped">{shown(figures.skipped, loaded, counts.data?.skipped.capped)}</dd></div>
        <div><dt>Failed</dt><dd data-count="failed">{shown(figures.failed, loaded, counts.data?.failed.capped)}</dd></div>
        <div><dt>Pending</dt><dd data-count="pending">{shown(figures.pending, loaded)}</dd></div>
        <div><dt>Deferred (waiting for their window)</dt><dd data-count="deferred">{count(c.stats.stats_targets_deferred)}</dd></div>
        <div><dt>In the ledger</dt><dd>{shown(figures.total, loaded)}</dd></div>
        <div><dt>{live ? 'Rate (last 10 s)' : 'Average rate'}</dt><dd>{rate === null ? '—' : `${count(Math.round(rate))} messages/s`}</dd></div>
        <div><dt>Time left</dt><dd>{live ? duration(eta) : '—'}</dd></div>
        <div><dt>Channels created</dt><dd>{count(c.stats.stats_channels_created)}</dd></div>
        <div><dt>Users who read it</dt><dd>{count(c.stats.stats_users_read)}</dd></div>
        <div><dt>Started</dt><dd>{time(c.stats.stats_started_at)}</dd></div>
        <div><dt>Completed</dt><dd>{time(c.stats.stats_completed_at)}</dd></div>
      </dl>
      {live && <p class="hint">Refreshed every second. Pending counts the targets in the ledger so far: while the audience is still being expanded, more join it.</p>}
    </section>
  );
}

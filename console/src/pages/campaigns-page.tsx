import { useState } from 'preact/hooks';
import { useApi } from '../api-context';
import { count, time } from '../format';
import { described, Field, Notice } from '../parts/field';
import { CursorTrail, Pager, PageTitle, ProgressBar, StatusBadge } from '../parts/widgets';
import { usePolling } from '../polling';
import { href } from '../routes';
import { CampaignStatus, type Campaign } from '../wire-types';

const PAGE_SIZE = 20;

/**
 * The audience a list row can state without a query of its own: the campaign's user ids, or
 * the sum of its segments' sizes ("about": segments may overlap, and filter sizes are computed
 * in the background). The campaign's own page counts exactly.
 */
export function listedAudience(c: Campaign): { total: number; exact: boolean } {
  if (c.user_ids.length > 0) return { total: c.user_ids.length, exact: true };
  const total = c.segments.reduce((sum, s) => sum + s.size, 0);
  return { total, exact: c.segments.length === 0 || (c.segments.length === 1 && c.segments[0].size_computed_at !== null) };
}

export function senderName(c: Campaign): string {
  return c.sender?.name ? `${c.sender.name} (${c.sender_id})` : c.sender_id;
}

function Row(props: { c: Campaign }) {
  const { c } = props;
  const audience = listedAudience(c);
  const { stats } = c;
  return (
    <tr>
      <td><a href={href.campaign(c.id)}>{c.name || c.id}</a></td>
      <td><StatusBadge status={c.status} /></td>
      <td>
        <ProgressBar fraction={stats.progress} label={`Progress of ${c.name || c.id}`} />
        <small class="figures">{count(stats.stats_messages_sent)} sent of {audience.exact ? '' : 'about '}{count(audience.total)}</small>
      </td>
      <td>{senderName(c)}</td>
      <td>{time(c.created_at)}</td>
      <td>
        {stats.stats_completed_at ? <>completed {time(stats.stats_completed_at)}</>
          : stats.stats_started_at ? <>started {time(stats.stats_started_at)}</>
          : c.scheduled_for ? <>scheduled for {time(c.scheduled_for)}</> : '—'}
      </td>
    </tr>
  );
}

/** Every campaign, newest first, filtered by status, paged, refreshed every 2 s. */
export function CampaignsPage() {
  const api = useApi();
  const [status, setStatus] = useState('');
  const [trail, setTrail] = useState(new CursorTrail());
  const { data, error } = usePolling(
    () =>
      api.post<{ campaigns: Campaign[]; next?: string }>('/campaigns/query', {
        filter: status ? { status: { $eq: status } } : {},
        sort: [{ field: 'created_at', direction: -1 }],
        limit: PAGE_SIZE,
        user_limit: 1,
        ...(trail.cursor && { next: trail.cursor }),
      }),
    2000,
    `${status}|${trail.cursor ?? ''}`,
  );
  return (
    <>
      <PageTitle title="Campaigns">
        <a class="button primary" href={href.newCampaign()}>New campaign</a>
      </PageTitle>
      <div class="toolbar">
        <Field field="status-filter" label="Status" inline>
          <select {...described('status-filter', undefined)} value={status} onChange={(e) => (setStatus(e.currentTarget.value), setTrail(new CursorTrail()))}>
            <option value="">all</option>
            {Object.values(CampaignStatus).map((s) => <option value={s}>{s.replace('_', ' ')}</option>)}
          </select>
        </Field>
        <small class="live" aria-live="off">updated every 2 s</small>
      </div>
      <Notice error={error?.message} />
      <table class="list" aria-label="Campaigns">
        <thead>
          <tr><th>Name</th><th>Status</th><th>Progress</th><th>Sender</th><th>Created</th><th>Started or completed</th></tr>
        </thead>
        <tbody>
          {data?.campaigns.map((c) => <Row key={c.id} c={c} />)}
          {data && data.campaigns.length === 0 && <tr><td colSpan={6} class="empty">No campaigns{status ? ` ${status.replace('_', ' ')}` : ''} yet.</td></tr>}
        </tbody>
      </table>
      <Pager label="Campaign pages" page={trail.page} hasPrev={trail.stack.length > 0} hasNext={Boolean(data?.next)}
        onPrev={() => setTrail(trail.prev())} onNext={() => data?.next && setTrail(trail.next(data.next))} />
    </>
  );
}

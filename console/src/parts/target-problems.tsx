import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { time } from '../format';
import { usePolling } from '../polling';
import { CampaignStatus, TargetStatus, type Campaign, type CampaignTarget } from '../wire-types';
import { Notice } from './field';
import { CursorTrail, Pager } from './widgets';

const PAGE_SIZE = 20;

/** The skipped and failed targets with their reasons, in target id order, paged. */
export function TargetProblems(props: { campaign: Campaign }) {
  const api = useApi();
  const c = props.campaign;
  const [trail, setTrail] = useState(new CursorTrail());
  const { data, error } = usePolling(
    () =>
      api.post<{ targets: CampaignTarget[]; next?: string }>(`/campaigns/${seg(c.id)}/targets/query`, {
        filter: { status: { $in: [TargetStatus.skipped, TargetStatus.failed] } },
        limit: PAGE_SIZE,
        ...(trail.cursor && { next: trail.cursor }),
      }),
    c.status === CampaignStatus.inProgress ? 2000 : 0,
    `${c.id}|${c.status}|${trail.cursor ?? ''}`,
  );
  return (
    <section aria-labelledby="problems-title" class="panel">
      <h2 id="problems-title">Skipped and failed</h2>
      <Notice error={error?.message} />
      <table class="list" aria-label="Skipped and failed targets">
        <thead><tr><th>Target</th><th>Status</th><th>Reason or error</th><th>Channel</th><th>When</th></tr></thead>
        <tbody>
          {data?.targets.map((t) => (
            <tr key={t.target_id}>
              <td>{t.target_id}</td>
              <td>{t.status}</td>
              <td>{t.reason ?? t.error ?? '—'}</td>
              <td>{t.channel_cid ?? '—'}</td>
              <td>{time(t.updated_at)}</td>
            </tr>
          ))}
          {data && data.targets.length === 0 && <tr><td colSpan={5} class="empty">None skipped or failed.</td></tr>}
        </tbody>
      </table>
      <Pager label="Skipped and failed pages" page={trail.page} hasPrev={trail.stack.length > 0} hasNext={Boolean(data?.next)}
        onPrev={() => setTrail(trail.prev())} onNext={() => data?.next && setTrail(trail.next(data.next))} />
    </section>
  );
}

import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { time } from '../format';
import { Notice } from '../parts/field';
import { CursorTrail, Pager, PageTitle } from '../parts/widgets';
import { usePolling } from '../polling';
import { href } from '../routes';
import type { Segment } from '../wire-types';
import { matchFilter, matchText } from './segment-matches';
import { definedBy, sizeText } from './segments-page';

const PAGE_SIZE = 50;

/** Explicit targets, by POST /segments/{id}/targets/query, paged by target id. */
function ExplicitTargets(props: { segment: Segment }) {
  const api = useApi();
  const [trail, setTrail] = useState(new CursorTrail());
  const { data, error } = usePolling(
    () => api.post<{ targets: Array<{ target_id: string; created_at: string }>; next?: string }>(
      `/segments/${seg(props.segment.id)}/targets/query`, { filter: {}, limit: PAGE_SIZE, ...(trail.cursor && { next: trail.cursor }) }),
    0,
    trail.cursor ?? '',
  );
  return (
    <>
      <Notice error={error?.message} />
      <table class="list" aria-label="Segment targets">
        <thead><tr><th>Target</th><th>Added</th></tr></thead>
        <tbody>
          {data?.targets.map((t) => <tr key={t.target_id}><td>{t.target_id}</td><td>{time(t.created_at)}</td></tr>)}
          {data && data.targets.length === 0 && <tr><td colSpan={2} class="empty">No targets.</td></tr>}
        </tbody>
      </table>
      <Pager label="Target pages" page={trail.page} hasPrev={trail.stack.length > 0} hasNext={Boolean(data?.next)}
        onPrev={() => setTrail(trail.prev())} onNext={() => data?.next && setTrail(trail.next(data.next))} />
    </>
  );
}

/** A filter's targets are whoever matches it now: the first page of the same query the SDKs use. */
function FilterMatches(props: { segment: Segment }) {
  const api = useApi();
  const { segment } = props;
  const { data, error } = usePolling(() => matchFilter(api, segment.type, segment.filter ?? {}), 0, JSON.stringify(segment.filter));
  return (
    <>
      <p class="hint">A filter segment holds no list of its own: its targets are who matches the filter when a campaign expands it. {data && `Now ${matchText(data, segment.type)}.`}</p>
      <Notice error={error?.message} />
      <ul class="id-list" aria-label="Matching targets">{data?.ids.map((id) => <li key={id}>{id}</li>)}</ul>
    </>
  );
}

export function SegmentPage(props: { id: string }) {
  const api = useApi();
  const [computing, setComputing] = useState(true);
  const { data: s, error } = usePolling(
    async () => {
      const { segment } = await api.get<{ segment: Segment }>(`/segments/${seg(props.id)}`);
      setComputing(segment.size_computed_at === null);
      return segment;
    },
    computing ? 1000 : 5000,
    props.id,
  );
  return (
    <>
      <PageTitle title={s ? `Segment: ${s.name || s.id}` : 'Segment'} />
      <p><a href={href.segments()}>← All segments</a> · id <code>{props.id}</code></p>
      <Notice error={error?.message} />
      {s && (
        <>
          <dl class="summary">
            <div><dt>Type</dt><dd>{s.type}</dd></div>
            <div><dt>Defined by</dt><dd>{definedBy(s)}</dd></div>
            <div><dt>Size</dt><dd data-field="size">{sizeText(s)}</dd></div>
            <div><dt>Size computed at</dt><dd>{time(s.size_computed_at)}</dd></div>
            <div><dt>Created</dt><dd>{time(s.created_at)}</dd></div>
            {s.filter && <div><dt>Filter</dt><dd><pre>{JSON.stringify(s.filter, null, 2)}</pre></dd></div>}
          </dl>
          <section class="panel" aria-labelledby="targets-title">
            <h2 id="targets-title">Targets</h2>
            {s.filter ? <FilterMatches segment={s} /> : s.all_users || s.all_sender_channels
              ? <p class="hint">{s.all_users ? 'Every user that is not deleted.' : 'Every channel the campaign’s sender is a member of, when it is sent.'}</p>
              : <ExplicitTargets segment={s} />}
          </section>
        </>
      )}
    </>
  );
}

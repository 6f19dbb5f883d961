import { useState } from 'preact/hooks';
import { useApi } from '../api-context';
import { count, time } from '../format';
import { Notice } from '../parts/field';
import { CursorTrail, Pager, PageTitle } from '../parts/widgets';
import { usePolling } from '../polling';
import { href } from '../routes';
import type { Segment } from '../wire-types';

const PAGE_SIZE = 25;

export function definedBy(s: Segment): string {
  if (s.filter) return 'filter';
  if (s.all_users) return 'all users';
  if (s.all_sender_channels) return "all the sender's channels";
  return 'explicit targets';
}

/** A filter or all-users size is computed in the background: until then it is pending. */
export const sizeText = (s: Segment): string => (s.size_computed_at ? count(s.size) : 'computing…');

/** Every segment with its size and when that size was computed, refreshed every 2 s. */
export function SegmentsPage() {
  const api = useApi();
  const [trail, setTrail] = useState(new CursorTrail());
  const { data, error } = usePolling(
    () => api.post<{ segments: Segment[]; next?: string }>('/segments/query', { filter: {}, limit: PAGE_SIZE, ...(trail.cursor && { next: trail.cursor }) }),
    2000,
    trail.cursor ?? '',
  );
  return (
    <>
      <PageTitle title="Segments">
        <a class="button primary" href={href.newSegment()}>New segment</a>
      </PageTitle>
      <Notice error={error?.message} />
      <table class="list" aria-label="Segments">
        <thead><tr><th>Name</th><th>Type</th><th>Defined by</th><th>Size</th><th>Size computed at</th><th>Created</th></tr></thead>
        <tbody>
          {data?.segments.map((s) => (
            <tr key={s.id}>
              <td><a href={href.segment(s.id)}>{s.name || s.id}</a></td>
              <td>{s.type}</td>
              <td>{definedBy(s)}</td>
              <td data-field="size">{sizeText(s)}</td>
              <td>{time(s.size_computed_at)}</td>
              <td>{time(s.created_at)}</td>
            </tr>
          ))}
          {data && data.segments.length === 0 && <tr><td colSpan={6} class="empty">No segments yet.</td></tr>}
        </tbody>
      </table>
      <Pager label="Segment pages" page={trail.page} hasPrev={trail.stack.length > 0} hasNext={Boolean(data?.next)}
        onPrev={() => setTrail(trail.prev())} onNext={() => data?.next && setTrail(trail.next(data.next))} />
    </>
  );
}

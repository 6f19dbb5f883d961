import { useEffect, useState } from 'preact/hooks';
import { ApiError, seg } from '../api';
import { useApi } from '../api-context';
import { idList } from '../format';
import { described, Field, Notice, placeErrors } from '../parts/field';
import { PageTitle } from '../parts/widgets';
import { useDebounced } from '../polling';
import { href, navigate } from '../routes';
import type { Segment } from '../wire-types';
import { matchFilter, matchText } from './segment-matches';

type Source = 'filter' | 'all' | 'targets';
const SEGMENT_FIELDS = ['id', 'name', 'description', 'type', 'filter', 'target_ids'] as const;

/** Parses the filter editor's text: the object, or the JSON error to show next to it. */
function parseFilterText(text: string): { filter?: Record<string, unknown>; error?: string } {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The filter must be a JSON object, e.g. {"country": "NL"}.' };
    return { filter: value as Record<string, unknown> };
  } catch (error) {
    return { error: `Not valid JSON: ${(error as Error).message}` };
  }
}

/** New segment: a filter with its live match count, all users or all the sender's channels, or explicit ids. */
export function SegmentForm() {
  const api = useApi();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [type, setType] = useState<'user' | 'channel'>('user');
  const [source, setSource] = useState<Source>('filter');
  const [filterText, setFilterText] = useState('{\n  "country": "NL"\n}');
  const [targets, setTargets] = useState('');
  const [live, setLive] = useState<{ text?: string; error?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const countMatches = async () => {
    const parsed = parseFilterText(filterText);
    if (!parsed.filter) return setLive({ error: parsed.error });
    setLive((l) => ({ text: l.text ? `${l.text} (updating…)` : 'Counting…' }));
    try {
      setLive({ text: matchText(await matchFilter(api, type, parsed.filter), type) });
    } catch (caught) {
      setLive({ error: caught instanceof ApiError ? caught.detail : (caught as Error).message });
    }
  };
  useDebounced(`${type}|${source}|${filterText}`, 400, () => source === 'filter' && void countMatches());
  // The first count, before any edit.
  useEffect(() => void countMatches(), []);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const parsed = source === 'filter' ? parseFilterText(filterText) : {};
      if (parsed.error) throw new ApiError(400, 4, parsed.error, { filter: 'invalid JSON' });
      const body = {
        ...(id.trim() && { id: id.trim() }),
        name,
        type,
        ...(source === 'filter' && { filter: parsed.filter }),
        ...(source === 'all' && (type === 'user' ? { all_users: true } : { all_sender_channels: true })),
      };
      const { segment } = await api.post<{ segment: Segment }>('/segments', body);
      const ids = idList(targets);
      if (source === 'targets' && ids.length > 0) await api.post(`/segments/${seg(segment.id)}/addtargets`, { target_ids: ids });
      navigate(href.segment(segment.id));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const placed = placeErrors(error, SEGMENT_FIELDS);
  const filterError = placed.byField.filter ?? live.error;
  return (
    <>
      <PageTitle title="New segment" />
      <form aria-label="Segment" onSubmit={create} class="narrow">
        <Notice error={placed.general} />
        <Field field="id" label="Id (optional)" error={placed.byField.id}>
          <input {...described('id', placed.byField.id)} value={id} onInput={(e) => setId(e.currentTarget.value)} autocomplete="off" />
        </Field>
        <Field field="name" label="Name" error={placed.byField.name}>
          <input {...described('name', placed.byField.name)} value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="off" />
        </Field>
        <Field field="type" label="Type" error={placed.byField.type}>
          <select {...described('type', placed.byField.type)} value={type} onChange={(e) => setType(e.currentTarget.value as 'user' | 'channel')}>
            <option value="user">user: targets are users</option>
            <option value="channel">channel: targets are channels</option>
          </select>
        </Field>
        <Field field="source" label="Defined by">
          <select {...described('source', undefined)} value={source} onChange={(e) => setSource(e.currentTarget.value as Source)}>
            <option value="filter">a filter</option>
            <option value="all">{type === 'user' ? 'all users' : "all the sender's channels"}</option>
            <option value="targets">explicit target ids</option>
          </select>
        </Field>
        {source === 'filter' && (
          <Field field="filter" label="Filter (JSON)" error={filterError}
            hint={type === 'user' ? 'Over users, e.g. {"country": "NL", "age": {"$gte": 18}}' : 'Over channels, e.g. {"type": "team"}'}>
            <textarea rows={8} spellcheck={false} {...described('filter', filterError, true)} value={filterText} onInput={(e) => setFilterText(e.currentTarget.value)} />
          </Field>
        )}
        {source === 'filter' && !filterError && <p class="live-count" role="status" aria-label="Live match count">{live.text}</p>}
        {source === 'targets' && (
          <Field field="target_ids" label={type === 'user' ? 'User ids' : 'Channel cids (type:id)'} error={placed.byField.target_ids} hint="Comma, space or newline separated.">
            <textarea rows={5} {...described('target_ids', placed.byField.target_ids, true)} value={targets} onInput={(e) => setTargets(e.currentTarget.value)} />
          </Field>
        )}
        <div class="actions"><button type="submit" class="primary" disabled={busy}>Create segment</button></div>
      </form>
    </>
  );
}

import { useState } from 'preact/hooks';
import { ApiError, seg } from '../api';
import { useApi } from '../api-context';
import { time } from '../format';
import type { CampaignTarget } from '../wire-types';
import { described, Field, Notice } from './field';

/** "Why didn't X get it?": one target's row of the per-target log, or why there is none. */
export function TargetLookup(props: { campaignId: string }) {
  const api = useApi();
  const [targetId, setTargetId] = useState('');
  const [target, setTarget] = useState<CampaignTarget | null>(null);
  const [error, setError] = useState<string | null>(null);

  const lookUp = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setTarget(null);
    try {
      const answer = await api.get<{ target: CampaignTarget }>(`/campaigns/${seg(props.campaignId)}/targets/${seg(targetId.trim())}`);
      setTarget(answer.target);
    } catch (caught) {
      const absent = caught instanceof ApiError && caught.status === 404;
      setError(absent ? `${caught.detail}: not in this campaign's audience, or the audience has not been expanded that far yet.` : (caught as Error).message);
    }
  };

  return (
    <section aria-labelledby="lookup-title" class="panel">
      <h2 id="lookup-title">Why didn't they get it?</h2>
      <form onSubmit={lookUp} class="row">
        <Field field="lookup-target" label="Target id (user id or channel cid)" inline>
          <input {...described('lookup-target', undefined)} value={targetId} onInput={(e) => setTargetId(e.currentTarget.value)} required autocomplete="off" />
        </Field>
        <button type="submit">Look up</button>
      </form>
      <Notice error={error} />
      {target && (
        <dl class="ledger-row" aria-label={`Ledger row of ${target.target_id}`}>
          <div><dt>Target</dt><dd>{target.target_id}</dd></div>
          <div><dt>Status</dt><dd data-field="status">{target.status}</dd></div>
          <div><dt>Reason</dt><dd data-field="reason">{target.reason ?? '—'}</dd></div>
          <div><dt>Error</dt><dd data-field="error">{target.error ?? '—'}</dd></div>
          <div><dt>Message id</dt><dd data-field="message_id">{target.message_id ?? '—'}</dd></div>
          <div><dt>Channel</dt><dd data-field="channel_cid">{target.channel_cid ?? '—'}</dd></div>
          <div><dt>Deferred until</dt><dd>{time(target.deferred_until)}</dd></div>
          <div><dt>Recalled at</dt><dd>{time(target.recalled_at)}</dd></div>
          <div><dt>Edited at</dt><dd>{time(target.edited_at)}</dd></div>
          <div><dt>Updated</dt><dd>{time(target.updated_at)}</dd></div>
        </dl>
      )}
    </section>
  );
}

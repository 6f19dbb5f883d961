import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { count } from '../format';
import { CampaignStatus, type Campaign } from '../wire-types';
import { Notice } from './field';
import { ConfirmDialog } from './widgets';

/** POST /campaigns/{id}/recall, behind a confirmation: deletes every message the campaign sent. */
export function Recall(props: { campaign: Campaign; onChanged: (c: Campaign) => void }) {
  const api = useApi();
  const c = props.campaign;
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allowed = (c.status === CampaignStatus.stopped || c.status === CampaignStatus.completed) && c.recall_status === null;

  const recall = async () => {
    setAsking(false);
    setError(null);
    try {
      const answer = await api.post<{ campaign: Campaign }>(`/campaigns/${seg(c.id)}/recall`, {});
      props.onChanged(answer.campaign);
    } catch (caught) {
      setError((caught as Error).message);
    }
  };

  return (
    <section aria-labelledby="recall-title" class="panel">
      <h2 id="recall-title">Recall</h2>
      <p>
        Recall: <strong data-field="recall_status">{c.recall_status?.replace('_', ' ') ?? 'not recalled'}</strong>
        {' · '}messages deleted: <strong data-field="stats_messages_recalled">{count(c.stats.stats_messages_recalled)}</strong>
        {' '}of {count(c.stats.stats_messages_sent)} sent
      </p>
      <button type="button" class="danger" disabled={!allowed} onClick={() => setAsking(true)}>Recall messages…</button>
      {!allowed && c.recall_status === null && <small class="hint"> Stop the campaign first: recall works once stopped or completed.</small>}
      <Notice error={error} />
      <ConfirmDialog open={asking} title="Recall every message of this campaign?" confirmLabel="Recall"
        onConfirm={() => void recall()} onCancel={() => setAsking(false)}>
        <p>
          All {count(c.stats.stats_messages_sent)} messages that “{c.name || c.id}” sent are deleted for their
          receivers (Stream's soft delete). The campaign cannot be started or edited again. This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}

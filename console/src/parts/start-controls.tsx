import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { fromLocalInput } from '../format';
import { CampaignStatus, type Campaign } from '../wire-types';
import { described, Field, Notice, placeErrors } from './field';

const START_FIELDS = ['scheduled_for', 'stop_at'] as const;

/**
 * Start (or Resume) now or at `scheduled_for`, optionally stopping at `stop_at` (both given
 * to POST /campaigns/{id}/start), and Stop. Shown on the campaign's page and its form.
 */
export function StartControls(props: { campaign: Campaign; onChanged: (c: Campaign) => void; beforeStart?: () => Promise<boolean> }) {
  const api = useApi();
  const c = props.campaign;
  const [scheduledFor, setScheduledFor] = useState('');
  const [stopAt, setStopAt] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const startable = c.status === CampaignStatus.draft || c.status === CampaignStatus.stopped;
  const stoppable = c.status === CampaignStatus.scheduled || c.status === CampaignStatus.inProgress;
  const placed = placeErrors(error, START_FIELDS);

  const act = async (action: 'start' | 'stop') => {
    setBusy(true);
    setError(null);
    try {
      if (action === 'start' && props.beforeStart && !(await props.beforeStart())) return;
      const body = action === 'start' ? { scheduled_for: fromLocalInput(scheduledFor), stop_at: fromLocalInput(stopAt) } : {};
      const answer = await api.post<{ campaign: Campaign }>(`/campaigns/${seg(c.id)}/${action}`, body);
      props.onChanged(answer.campaign);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  if (!startable && !stoppable) return null;
  return (
    <div class="start-controls">
      {startable && (
        <>
          <Field field="scheduled_for" label="Send at (empty: now)" error={placed.byField.scheduled_for} inline>
            <input type="datetime-local" {...described('scheduled_for', placed.byField.scheduled_for)} value={scheduledFor} onInput={(e) => setScheduledFor(e.currentTarget.value)} />
          </Field>
          <Field field="stop_at" label="Stop at (optional)" error={placed.byField.stop_at} inline>
            <input type="datetime-local" {...described('stop_at', placed.byField.stop_at)} value={stopAt} onInput={(e) => setStopAt(e.currentTarget.value)} />
          </Field>
          <button type="button" class="primary" disabled={busy} onClick={() => void act('start')}>
            {c.status === CampaignStatus.stopped ? 'Resume' : scheduledFor ? 'Schedule' : 'Start'}
          </button>
        </>
      )}
      {stoppable && <button type="button" disabled={busy} onClick={() => void act('stop')}>Stop</button>}
      <Notice error={placed.general} />
    </div>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { CampaignStatus, type Campaign } from '../wire-types';
import { described, Field, Notice, placeErrors } from './field';

/**
 * The throttle, editable in every status but completed (while in progress it is the one field
 * PUT /campaigns/{id} may change, and it holds from the next batch), and the delivery window.
 */
export function CampaignThrottle(props: { campaign: Campaign; onChanged: (c: Campaign) => void }) {
  const api = useApi();
  const c = props.campaign;
  const saved = c.max_messages_per_second === null ? '' : String(c.max_messages_per_second);
  const [value, setValue] = useState(saved);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  // Follow the saved value until the user edits it.
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (!edited) setValue(saved);
  }, [saved, edited]);
  const editable = c.status !== CampaignStatus.completed;
  const placed = placeErrors(error, ['max_messages_per_second']);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setOk(null);
    try {
      const throttle = value.trim() === '' ? null : Number(value);
      const answer = await api.put<{ campaign: Campaign }>(`/campaigns/${seg(c.id)}`, { max_messages_per_second: throttle });
      setEdited(false);
      setOk(throttle === null ? 'No limit.' : `Throttle set to ${throttle} messages a second.`);
      props.onChanged(answer.campaign);
    } catch (caught) {
      setError(caught);
    }
  };

  const w = c.delivery_window;
  return (
    <section aria-labelledby="throttle-title" class="panel">
      <h2 id="throttle-title">Throttle and delivery window</h2>
      <form onSubmit={save} class="row">
        <Field field="max_messages_per_second" label="Max messages per second (empty: no limit)" error={placed.byField.max_messages_per_second} inline>
          <input type="number" step={1} {...described('max_messages_per_second', placed.byField.max_messages_per_second)}
            value={value} disabled={!editable} onInput={(e) => (setValue(e.currentTarget.value), setEdited(true))} />
        </Field>
        <button type="submit" disabled={!editable}>Save throttle</button>
      </form>
      <Notice error={placed.general} ok={ok} />
      <p>
        Delivery window:{' '}
        {w ? (
          <>
            {w.start}–{w.end} in each recipient's zone (user field <code>{w.timezone_field ?? 'timezone'}</code>, default{' '}
            <code>{w.default_timezone ?? 'UTC'}</code>); targets outside it wait as deferred.
          </>
        ) : 'none: messages go out at any time.'}
      </p>
    </section>
  );
}

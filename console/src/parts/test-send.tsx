import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { idList } from '../format';
import { CampaignStatus, type Campaign, type TestSendResult } from '../wire-types';
import { described, Field, Notice, placeErrors } from './field';

/** POST /campaigns/{id}/test: real messages now, to a few users, outside the ledger and stats. */
export function TestSend(props: { campaign: Campaign }) {
  const api = useApi();
  const c = props.campaign;
  const [ids, setIds] = useState('');
  const [results, setResults] = useState<TestSendResult[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const allowed = c.status === CampaignStatus.draft || c.status === CampaignStatus.scheduled || c.status === CampaignStatus.stopped;
  const placed = placeErrors(error, ['user_ids']);

  const send = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setResults(null);
    try {
      const answer = await api.post<{ messages: TestSendResult[] }>(`/campaigns/${seg(c.id)}/test`, { user_ids: idList(ids) });
      setResults(answer.messages);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="test-title" class="panel">
      <h2 id="test-title">Test send</h2>
      <form onSubmit={send} class="row">
        <Field field="user_ids" label="Send a test to user ids (up to 20)" error={placed.byField.user_ids} inline
          hint={allowed ? undefined : `Not while ${c.status.replace('_', ' ')}.`}>
          <input {...described('user_ids', placed.byField.user_ids, !allowed)} value={ids} onInput={(e) => setIds(e.currentTarget.value)} disabled={!allowed} autocomplete="off" />
        </Field>
        <button type="submit" disabled={!allowed}>Send test</button>
      </form>
      <Notice error={placed.general} />
      {results && (
        <ul class="results" aria-label="Test messages">
          {results.map((m) => (
            <li key={m.user_id}>
              <strong>{m.user_id}</strong> → {m.channel_cid ?? 'no channel'}:{' '}
              {m.message_id ? <>sent “{m.text}”</> : m.skipped ? <>skipped ({m.skipped})</> : <>failed: {m.error}</>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

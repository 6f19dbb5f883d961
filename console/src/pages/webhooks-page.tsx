import { useEffect, useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { time } from '../format';
import { described, Field, Notice, placeErrors } from '../parts/field';
import { CursorTrail, Pager, PageTitle } from '../parts/widgets';
import { usePolling } from '../polling';
import type { AppSettings, EventHook, FailedWebhook } from '../wire-types';

interface HookRow {
  id?: string;
  enabled: boolean;
  webhook_url: string;
  event_types: string;
}

const rowOf = (h: EventHook): HookRow => ({ id: h.id, enabled: h.enabled ?? true, webhook_url: h.webhook_url ?? '', event_types: (h.event_types ?? []).join(', ') });
const hookField = (i: number) => `event_hooks[${i}].webhook_url`;

/** The app's webhook_url and event_hooks (GET and PATCH /app): PATCH replaces the hook list. */
function WebhookSettings() {
  const api = useApi();
  const [url, setUrl] = useState('');
  const [hooks, setHooks] = useState<HookRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  // The controls appear once the settings are read, so that nothing typed is overwritten.
  const [loaded, setLoaded] = useState(false);
  const load = async () => {
    const { app } = await api.get<{ app: AppSettings }>('/app');
    setUrl(app.webhook_url);
    setHooks(app.event_hooks.map(rowOf));
    setLoaded(true);
  };
  useEffect(() => void load().catch(setError), []);

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setOk(null);
    try {
      await api.patch('/app', {
        webhook_url: url.trim(),
        event_hooks: hooks.map((h) => ({
          ...(h.id && { id: h.id }),
          hook_type: 'webhook',
          enabled: h.enabled,
          webhook_url: h.webhook_url.trim(),
          event_types: h.event_types.split(/[\s,]+/).filter(Boolean),
        })),
      });
      await load();
      setOk('Webhook settings saved.');
    } catch (caught) {
      setError(caught);
    }
  };

  const update = (i: number, patch: Partial<HookRow>) => setHooks(hooks.map((h, k) => (k === i ? { ...h, ...patch } : h)));
  const placed = placeErrors(error, ['webhook_url', ...hooks.map((_, i) => hookField(i))]);
  if (!loaded) return <section class="panel"><h2>Settings</h2><Notice error={placed.general} ok="Loading…" /></section>;
  return (
    <form aria-label="Webhook settings" onSubmit={save} class="panel">
      <h2>Settings</h2>
      <Field field="webhook_url" label="Webhook URL (every event; empty: none)" error={placed.byField.webhook_url}>
        <input type="url" {...described('webhook_url', placed.byField.webhook_url)} value={url} onInput={(e) => setUrl(e.currentTarget.value)} autocomplete="off" />
      </Field>
      <h3>Event hooks</h3>
      {hooks.length === 0 && <p class="hint">No event hooks.</p>}
      {hooks.map((h, i) => (
        <fieldset key={h.id ?? `new-${i}`} class="hook">
          <legend>Hook {i + 1}</legend>
          <Field field={hookField(i)} label={`Hook ${i + 1} URL`} error={placed.byField[hookField(i)]}>
            <input type="url" {...described(hookField(i), placed.byField[hookField(i)])} value={h.webhook_url} onInput={(e) => update(i, { webhook_url: e.currentTarget.value })} />
          </Field>
          <Field field={`event_hooks[${i}].event_types`} label={`Hook ${i + 1} event types (empty: every event)`}>
            <input {...described(`event_hooks[${i}].event_types`, undefined)} value={h.event_types} onInput={(e) => update(i, { event_types: e.currentTarget.value })} />
          </Field>
          <Field field={`event_hooks[${i}].enabled`} label={`Hook ${i + 1} enabled`} inline>
            <input type="checkbox" {...described(`event_hooks[${i}].enabled`, undefined)} checked={h.enabled} onChange={(e) => update(i, { enabled: e.currentTarget.checked })} />
          </Field>
          <button type="button" onClick={() => setHooks(hooks.filter((_, k) => k !== i))}>Remove hook {i + 1}</button>
        </fieldset>
      ))}
      <Notice error={placed.general} ok={ok} />
      <div class="actions">
        <button type="button" onClick={() => setHooks([...hooks, { enabled: true, webhook_url: '', event_types: '' }])}>Add hook</button>
        <button type="submit" class="primary">Save webhooks</button>
      </div>
    </form>
  );
}

/** Dead letters (GET /app/webhooks/failed), each with Retry (POST …/{id}/retry). */
function DeadLetters() {
  const api = useApi();
  const [trail, setTrail] = useState(new CursorTrail());
  const [notice, setNotice] = useState<{ ok?: string; error?: string }>({});
  const { data, error, refresh } = usePolling(
    () => api.get<{ webhooks: FailedWebhook[]; next?: string }>('/app/webhooks/failed', { limit: 25, next: trail.cursor }),
    5000,
    trail.cursor ?? '',
  );
  const retry = async (w: FailedWebhook) => {
    try {
      await api.post(`/app/webhooks/failed/${seg(w.id)}/retry`);
      setNotice({ ok: `${w.event_type} (${w.id}) queued for delivery again.` });
      await refresh();
    } catch (caught) {
      setNotice({ error: (caught as Error).message });
    }
  };
  return (
    <section class="panel" aria-labelledby="dead-title">
      <h2 id="dead-title">Dead letters</h2>
      <p class="hint">Events that failed for the whole retry window, or got a 4xx. Retry sends one again.</p>
      <Notice error={error?.message ?? notice.error} ok={notice.ok} />
      <table class="list" aria-label="Dead letters">
        <thead><tr><th>Event</th><th>URL</th><th>Attempts</th><th>Last error</th><th>Created</th><th /></tr></thead>
        <tbody>
          {data?.webhooks.map((w) => (
            <tr key={w.id}>
              <td>{w.event_type}</td>
              <td class="url">{w.webhook_url}</td>
              <td>{w.attempts}</td>
              <td>{w.last_error ?? '—'}</td>
              <td>{time(w.created_at)}</td>
              <td><button type="button" onClick={() => void retry(w)} aria-label={`Retry ${w.event_type} ${w.id}`}>Retry</button></td>
            </tr>
          ))}
          {data && data.webhooks.length === 0 && <tr><td colSpan={6} class="empty">No dead letters.</td></tr>}
        </tbody>
      </table>
      <Pager label="Dead letter pages" page={trail.page} hasPrev={trail.stack.length > 0} hasNext={Boolean(data?.next)}
        onPrev={() => setTrail(trail.prev())} onNext={() => data?.next && setTrail(trail.next(data.next))} />
    </section>
  );
}

export function WebhooksPage() {
  return (
    <>
      <PageTitle title="Webhooks" />
      <div class="columns">
        <WebhookSettings />
        <DeadLetters />
      </div>
    </>
  );
}

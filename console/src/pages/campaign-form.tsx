import { useEffect, useRef, useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { placeErrors, Notice } from '../parts/field';
import { PreviewPanel } from '../parts/preview-panel';
import { StartControls } from '../parts/start-controls';
import { PageTitle } from '../parts/widgets';
import { useDebounced, usePolling } from '../polling';
import { href, navigate } from '../routes';
import { CampaignStatus, type Campaign, type CampaignPreview, type Segment } from '../wire-types';
import { AudienceFields, ChannelFields, PacingFields, TextField } from './campaign-form-fields';
import { bodyOf, emptyForm, FORM_FIELDS, formOf, readyToCreate, type FormState } from './campaign-form-state';

/** Typing stops for this long before a draft is saved and previewed again. */
const AUTOSAVE_DELAY_MS = 600;

/**
 * New and edit campaign. A draft saves itself as you type (a new one as soon as it has a sender
 * and a text, which the API requires), and every save is followed by a preview, because the
 * preview API renders the saved campaign. Scheduled and stopped campaigns are saved only with
 * "Save changes": a save there changes what a running schedule or a resume will send.
 */
export function CampaignForm(props: { id?: string }) {
  const api = useApi();
  const [form, setForm] = useState<FormState>(emptyForm);
  const [saved, setSaved] = useState<Campaign | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [state, setState] = useState<string>(props.id ? 'Loading…' : 'A draft is saved as soon as it has a sender and a message.');
  const [preview, setPreview] = useState<{ data?: CampaignPreview; error?: string | null; loading?: boolean }>({});
  const formRef = useRef(form);
  formRef.current = form;
  const savedRef = useRef(saved);
  savedRef.current = saved;
  const queue = useRef<Promise<boolean>>(Promise.resolve(true));
  const previewSeq = useRef(0);

  const segments = usePolling(
    () => api.post<{ segments: Segment[] }>('/segments/query', { filter: {}, sort: [{ field: 'name', direction: 1 }], limit: 100 }),
    0,
    'segments',
  ).data?.segments;

  const runPreview = async (id: string) => {
    const mine = ++previewSeq.current;
    setPreview((p) => ({ ...p, loading: true }));
    try {
      const answer = await api.post<{ preview: CampaignPreview }>(`/campaigns/${seg(id)}/preview`, { sample: 3 });
      if (mine === previewSeq.current) setPreview({ data: answer.preview });
    } catch (caught) {
      if (mine === previewSeq.current) setPreview((p) => ({ data: p.data, error: (caught as Error).message }));
    }
  };

  // Load the campaign to edit; a draft this form just created is already loaded.
  useEffect(() => {
    if (props.id === undefined) {
      if (savedRef.current) {
        setSaved(null);
        setForm(emptyForm());
        setPreview({});
        setState('A draft is saved as soon as it has a sender and a message.');
      }
      return;
    }
    if (props.id === savedRef.current?.id) return;
    void api.get<{ campaign: Campaign }>(`/campaigns/${seg(props.id)}`, { limit: 1 }).then(
      ({ campaign }) => {
        setSaved(campaign);
        setForm(formOf(campaign));
        setState(campaign.status === CampaignStatus.draft ? 'Draft: changes are saved as you type.' : '');
        void runPreview(campaign.id);
      },
      (caught: Error) => setState(`Could not load the campaign: ${caught.message}`),
    );
  }, [props.id]);

  /** Saves the form now (after any save in flight); true when it is saved. */
  const save = (): Promise<boolean> => {
    queue.current = queue.current.then(async () => {
      const before = savedRef.current;
      setState('Saving…');
      try {
        const body = bodyOf(formRef.current, before);
        const { campaign } = before
          ? await api.put<{ campaign: Campaign }>(`/campaigns/${seg(before.id)}`, body)
          : await api.post<{ campaign: Campaign }>('/campaigns', body);
        savedRef.current = campaign;
        setSaved(campaign);
        setError(null);
        setState(`${campaign.status === CampaignStatus.draft ? 'Draft saved' : 'Saved'} at ${new Date().toLocaleTimeString()}.`);
        if (!before) navigate(href.editCampaign(campaign.id), true);
        void runPreview(campaign.id);
        return true;
      } catch (caught) {
        setError(caught);
        setState('Not saved: see the error below.');
        return false;
      }
    });
    return queue.current;
  };

  const autoSaves = saved ? saved.status === CampaignStatus.draft : true;
  const locked = saved !== null && (saved.status === CampaignStatus.inProgress || saved.status === CampaignStatus.completed || saved.recall_status !== null);
  useDebounced(JSON.stringify(form), AUTOSAVE_DELAY_MS, () => {
    if (autoSaves && !locked && (saved || readyToCreate(formRef.current))) void save();
  });

  const set = (patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch }));
  const placed = placeErrors(error, FORM_FIELDS);
  // Editing waits for the campaign to load, so that nothing typed is overwritten by it.
  const loading = props.id !== undefined && saved === null;
  const fieldProps = { form, set, errors: placed.byField, segments, disabled: locked || loading };
  const title = saved ? `Edit campaign: ${saved.name || saved.id}` : 'New campaign';
  return (
    <>
      <PageTitle title={title}>{saved && <a class="button" href={href.campaign(saved.id)}>Open campaign page</a>}</PageTitle>
      <p role="status" class="save-state">{locked ? `This campaign is ${saved?.recall_status ? 'recalled' : saved?.status.replace('_', ' ')}: it cannot be edited (the throttle changes on its page).` : state}</p>
      <div class="columns">
        <form aria-label="Campaign" onSubmit={(e) => (e.preventDefault(), void save())}>
          <Notice error={placed.general} />
          <TextField {...fieldProps} field="name" name="name" label="Name" />
          <TextField {...fieldProps} field="sender_id" name="sender_id" label="Sender user id" />
          <AudienceFields {...fieldProps} />
          <TextField {...fieldProps} field="message_template.text" name="text" label="Message template" area
            hint="Liquid: {{ receiver.name }}, {{ sender.name }}, {{ receiver.<custom field> }}, {% if %}…" />
          <ChannelFields {...fieldProps} />
          <PacingFields {...fieldProps} />
          <div class="actions">
            <button type="submit" disabled={locked || loading}>{autoSaves ? 'Save draft' : 'Save changes'}</button>
          </div>
        </form>
        <div>
          <section class="panel" aria-labelledby="live-preview-title">
            <h2 id="live-preview-title">Live preview</h2>
            <PreviewPanel preview={preview.data} error={preview.error} loading={preview.loading}
              note={saved ? (autoSaves ? 'Rendered from the draft as saved a moment ago.' : 'Rendered from the saved campaign: save to see your changes.') : 'Shown once the draft is saved.'} />
          </section>
          {saved && !locked && (
            <section class="panel" aria-labelledby="start-title">
              <h2 id="start-title">Schedule</h2>
              <StartControls campaign={saved} beforeStart={save} onChanged={(c) => navigate(href.campaign(c.id))} />
            </section>
          )}
        </div>
      </div>
    </>
  );
}

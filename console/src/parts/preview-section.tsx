import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { idList } from '../format';
import type { CampaignPreview } from '../wire-types';
import { described, Field, placeErrors } from './field';
import { PreviewPanel } from './preview-panel';

/** The dry run on a campaign's page: a sample of the audience, or chosen targets. */
export function PreviewSection(props: { campaignId: string }) {
  const api = useApi();
  const [sample, setSample] = useState('5');
  const [targets, setTargets] = useState('');
  const [preview, setPreview] = useState<CampaignPreview | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const placed = placeErrors(error, ['sample', 'target_ids']);

  const run = async (event: Event) => {
    event.preventDefault();
    setLoading(true);
    setError(null);
    try {
      const ids = idList(targets);
      const body = ids.length > 0 ? { target_ids: ids } : { sample: Number(sample) };
      setPreview((await api.post<{ preview: CampaignPreview }>(`/campaigns/${seg(props.campaignId)}/preview`, body)).preview);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  };

  return (
    <section aria-labelledby="preview-title" class="panel">
      <h2 id="preview-title">Preview (dry run)</h2>
      <form onSubmit={run} class="row">
        <Field field="sample" label="Samples" error={placed.byField.sample} inline>
          <input type="number" min={1} max={50} {...described('sample', placed.byField.sample)} value={sample} onInput={(e) => setSample(e.currentTarget.value)} />
        </Field>
        <Field field="target_ids" label="or these target ids" error={placed.byField.target_ids} inline>
          <input {...described('target_ids', placed.byField.target_ids)} value={targets} onInput={(e) => setTargets(e.currentTarget.value)} autocomplete="off" />
        </Field>
        <button type="submit" disabled={loading}>Preview</button>
      </form>
      <PreviewPanel preview={preview} error={placed.general} loading={loading}
        note="What starting the campaign now would do; it writes nothing." />
    </section>
  );
}

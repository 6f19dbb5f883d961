import { count, duration } from '../format';
import type { CampaignPreview } from '../wire-types';
import { Notice } from './field';

/**
 * What POST /campaigns/{id}/preview answered: the audience and its channels counted over the
 * whole audience, and a few messages rendered by the sender's own code.
 */
export function PreviewPanel(props: { preview: CampaignPreview | undefined; error?: string | null; loading?: boolean; note?: string }) {
  const { preview } = props;
  const missing = preview?.missing_variables.filter((m) => m.targets > 0) ?? [];
  return (
    <div class="preview" aria-busy={props.loading ? 'true' : 'false'}>
      {props.note && <p class="hint">{props.note}</p>}
      <Notice error={props.error} />
      {preview && (
        <>
          <dl class="figures-grid">
            <div><dt>Audience</dt><dd data-count="audience">{count(preview.audience.total)}</dd></div>
            <div><dt>To existing channels</dt><dd>{count(preview.channels.existing)}</dd></div>
            <div><dt>Channels to create</dt><dd>{count(preview.channels.to_create)}</dd></div>
            <div><dt>Would be skipped</dt><dd>{count(preview.channels.skipped)}</dd></div>
            <div><dt>Would fail</dt><dd>{count(preview.channels.failed ?? 0)}</dd></div>
            <div><dt>Estimated time</dt><dd>{duration(preview.estimated_seconds)}</dd></div>
          </dl>
          {missing.length > 0 && (
            <p class="warning">
              Missing variables:{' '}
              {missing.map((m) => `${m.variable} (${count(m.targets)} targets)`).join(', ')}
            </p>
          )}
          <ol class="samples" aria-label="Preview samples">
            {preview.samples.map((s) => (
              <li key={s.target_id}>
                <div class="sample-head">
                  <strong>{s.target_id}</strong> → {s.channel_cid ?? 'no channel'}
                  {s.channel && <span class="badge">{s.channel.replace('_', ' ')}</span>}
                  {s.skipped && <span class="badge status-stopped">skipped: {s.skipped}</span>}
                  {s.in_audience === false && <span class="badge">not in the audience</span>}
                </div>
                <p class="sample-text">{s.text ?? '(no text)'}</p>
                {s.error && <p class="field-error">{s.error}</p>}
                {s.missing_variables && s.missing_variables.length > 0 && <small class="hint">missing: {s.missing_variables.join(', ')}</small>}
              </li>
            ))}
            {preview.samples.length === 0 && <li class="empty">The audience is empty: no sample to show.</li>}
          </ol>
        </>
      )}
    </div>
  );
}

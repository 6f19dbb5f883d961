import { useState } from 'preact/hooks';
import { seg } from '../api';
import { useApi } from '../api-context';
import { count, time } from '../format';
import { CampaignProgress } from '../parts/campaign-progress';
import { CampaignThrottle } from '../parts/campaign-throttle';
import { Notice } from '../parts/field';
import { PreviewSection } from '../parts/preview-section';
import { Recall } from '../parts/recall';
import { StartControls } from '../parts/start-controls';
import { TargetLookup } from '../parts/target-lookup';
import { TargetProblems } from '../parts/target-problems';
import { TestSend } from '../parts/test-send';
import { ConfirmDialog, PageTitle, StatusBadge } from '../parts/widgets';
import { usePolling } from '../polling';
import { href, navigate } from '../routes';
import { CampaignStatus, type Campaign } from '../wire-types';
import { senderName } from './campaigns-page';

/** While something moves (a send, a schedule, a recall) the page refreshes every second. */
const moving = (c: Campaign | undefined) =>
  c?.status === CampaignStatus.inProgress || c?.status === CampaignStatus.scheduled || c?.recall_status === 'in_progress';

function Summary(props: { c: Campaign }) {
  const { c } = props;
  const audience = c.user_ids.length > 0
    ? `${count(c.user_ids.length)} user ids`
    : c.segments.map((s) => `${s.name || s.id} (${count(s.size)})`).join(', ') || 'none';
  const channel = c.channel_template ? `${c.channel_template.type ?? ''}${c.channel_template.id ? `:${c.channel_template.id}` : ' (distinct)'}` : 'distinct messaging';
  return (
    <dl class="summary">
      <div><dt>Sender</dt><dd>{senderName(c)}</dd></div>
      <div><dt>Audience</dt><dd>{audience}</dd></div>
      <div><dt>Message</dt><dd class="template">{c.message_template.text}</dd></div>
      <div><dt>Channels</dt><dd>{channel}{c.create_channels ? ', created when missing' : ', existing only'}</dd></div>
      <div><dt>Created</dt><dd>{time(c.created_at)}</dd></div>
      <div><dt>Scheduled for</dt><dd>{time(c.scheduled_for)}</dd></div>
      <div><dt>Stops at</dt><dd>{time(c.stop_at)}</dd></div>
    </dl>
  );
}

export function CampaignPage(props: { id: string }) {
  const api = useApi();
  const [polledFast, setPolledFast] = useState(false);
  const { data, error, refresh } = usePolling(
    async () => {
      const { campaign } = await api.get<{ campaign: Campaign }>(`/campaigns/${seg(props.id)}`, { limit: 1 });
      setPolledFast(moving(campaign));
      return campaign;
    },
    polledFast ? 1000 : 3000,
    props.id,
  );
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const onChanged = () => void refresh();
  const remove = async () => {
    setDeleting(false);
    try {
      await api.delete(`/campaigns/${seg(props.id)}`);
      navigate(href.campaigns());
    } catch (caught) {
      setDeleteError((caught as Error).message);
    }
  };

  const c = data;
  const editable = c && (c.status === CampaignStatus.draft || c.status === CampaignStatus.scheduled || c.status === CampaignStatus.stopped) && !c.recall_status;
  return (
    <>
      <PageTitle title={c ? `Campaign: ${c.name || c.id}` : 'Campaign'}>
        {c && <StatusBadge status={c.status} />}
        {editable && <a class="button" href={href.editCampaign(props.id)}>Edit</a>}
        {c && c.status !== CampaignStatus.inProgress && <button type="button" onClick={() => setDeleting(true)}>Delete…</button>}
      </PageTitle>
      <p><a href={href.campaigns()}>← All campaigns</a> · id <code>{props.id}</code></p>
      <Notice error={error?.message ?? deleteError} />
      {c && (
        <>
          <StartControls campaign={c} onChanged={onChanged} />
          <div class="columns">
            <div>
              <CampaignProgress campaign={c} />
              <TargetLookup campaignId={c.id} />
              <TargetProblems campaign={c} />
            </div>
            <div>
              <section class="panel" aria-labelledby="summary-title"><h2 id="summary-title">Campaign</h2><Summary c={c} /></section>
              <CampaignThrottle campaign={c} onChanged={onChanged} />
              <PreviewSection campaignId={c.id} />
              <TestSend campaign={c} />
              <Recall campaign={c} onChanged={onChanged} />
            </div>
          </div>
          <ConfirmDialog open={deleting} title="Delete this campaign?" confirmLabel="Delete" onConfirm={() => void remove()} onCancel={() => setDeleting(false)}>
            <p>“{c.name || c.id}” and its per-target log are deleted. Messages it sent stay.</p>
          </ConfirmDialog>
        </>
      )}
    </>
  );
}

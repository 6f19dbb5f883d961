import type { CampaignView } from '../app/campaigns.js';
import { CampaignLimits, CampaignStatus, type Campaign } from '../domain/campaign.js';
import type { Herald } from '../main/compose.js';
import { watchCampaign } from './campaign-watch.js';
import { CliExit, expectPositionals, parseCommand, positiveInteger, UsageError, withHerald, type CommandContext } from './cli-command.js';
import { campaignJson, fmt, jsonLine, percentText, table, timeText } from './cli-output.js';

const DEFAULT_LIST_LIMIT = 25;
// A table column, not a report: longer names are cut (--json has them whole).
const NAME_WIDTH = 40;
const statuses: readonly string[] = Object.values(CampaignStatus);

/** `herald campaigns list|watch|start|stop`, on the server's database through the app services. */
export async function campaignsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return listCampaigns(rest, ctx);
    case 'watch':
      return watchCampaign(rest, ctx);
    case 'start':
    case 'stop':
      return changeStatus(sub, rest, ctx);
    default:
      throw new UsageError(`unknown command: campaigns ${sub ?? ''}`.trim());
  }
}

async function listCampaigns(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, { status: { type: 'string' }, limit: { type: 'string' } });
  expectPositionals(positionals, [], 'campaigns list');
  const status = values.status;
  if (status !== undefined && !statuses.includes(status)) throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
  const limit = positiveInteger(values.limit, 'limit') ?? DEFAULT_LIST_LIMIT;
  const campaigns = await withHerald(ctx.config, (herald) => newestCampaigns(herald, status, limit));
  if (values.json) {
    ctx.io.stdout.write(jsonLine(campaigns.map(campaignJson)));
    return CliExit.ok;
  }
  ctx.io.stdout.write(
    table(campaigns, [
      { header: 'ID', value: (c) => c.id },
      { header: 'NAME', value: (c) => (c.name.length > NAME_WIDTH ? `${c.name.slice(0, NAME_WIDTH - 1)}…` : c.name) },
      { header: 'STATUS', value: (c) => c.status },
      { header: 'DONE/TOTAL', value: (c) => `${fmt(c.stats.stats_targets_done)}/${fmt(c.stats.stats_targets_total)}`, right: true },
      { header: 'PROGRESS', value: (c) => percentText(c.stats.progress), right: true },
      { header: 'CREATED', value: (c) => timeText(c.created_at) },
    ]),
  );
  return CliExit.ok;
}

/** The newest `limit` campaigns, a page of at most 100 (the API's largest) at a time. */
async function newestCampaigns(herald: Herald, status: string | undefined, limit: number): Promise<Campaign[]> {
  const found: Campaign[] = [];
  let next: string | undefined;
  do {
    const page = await herald.services.campaigns.query({
      filter: status === undefined ? {} : { status },
      sort: [{ field: 'created_at', direction: -1 }],
      limit: Math.min(CampaignLimits.queryPage, limit - found.length),
      user_limit: 1,
      next,
    });
    found.push(...page.items.map((view) => view.campaign));
    next = page.next;
  } while (next !== undefined && found.length < limit);
  return found;
}

/** Start and stop through CampaignLifecycle: the API's rules, and its messages on a refusal. */
async function changeStatus(action: 'start' | 'stop', args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommand(args, {});
  const [id] = expectPositionals(positionals, ['id'], `campaigns ${action}`);
  const { campaign }: CampaignView = await withHerald(ctx.config, (herald) =>
    action === 'start' ? herald.services.lifecycle.start(id, {}) : herald.services.lifecycle.stop(id),
  );
  if (values.json) {
    ctx.io.stdout.write(jsonLine(campaignJson(campaign)));
  } else {
    const when = campaign.status === CampaignStatus.scheduled ? ` for ${timeText(campaign.scheduled_for)}` : '';
    ctx.io.stdout.write(`campaign "${campaign.id}" is ${campaign.status}${when}\n`);
  }
  return CliExit.ok;
}

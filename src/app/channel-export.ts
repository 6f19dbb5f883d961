import { randomBytes, timingSafeEqual } from 'node:crypto';
import { cidOf, splitCid, type Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import { inputError, notFound } from '../domain/errors.js';
import type { Message } from '../domain/message.js';
import { TaskStatus, type Task } from '../domain/task.js';
import { parseTime } from '../domain/time.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import { requireServer, type Caller } from './caller.js';
import { usersById } from './channel-access.js';
import type { MemberWithUser, MessageWithUser } from './channel-state.js';
import { checkChannelType } from './channels.js';
import type { Stores } from './ports.js';

export const EXPORT_TASK_TYPE = 'export_channels';
/** Channels one export may name (Stream's limit). */
export const MAX_EXPORT_CHANNELS = 25;
/**
 * Messages one export may hold over all its channels. The file is built in the request and
 * kept in one row: a larger export fails (the task says why) instead of exhausting memory;
 * export fewer channels or a shorter time range (messages_since, messages_until).
 */
export const MAX_EXPORT_MESSAGES = 50_000;
const PAGE = 1000;

export interface ExportChannelRef {
  type?: string;
  id?: string;
  cid?: string;
  messages_since?: unknown;
  messages_until?: unknown;
}

export interface ExportChannelsInput {
  channels: ExportChannelRef[];
  clear_deleted_message_text?: boolean;
  export_users?: boolean;
  include_soft_deleted_channels?: boolean;
  include_truncated_messages?: boolean;
  version?: string;
  format?: string;
}

/** What an export file holds, before encoding. */
export interface ChannelExportData {
  channels: Array<{ channel: Channel; created_by: User | null; members: MemberWithUser[]; messages: MessageWithUser[] }>;
  /** With export_users: every user the channels name (members, authors, creators). */
  users: User[] | null;
}

/** Encodes an export file (wire/channel-export-encoding.ts, wired by main). */
export type ExportEncoder = (data: ChannelExportData) => string;

interface Resolved {
  cid: string;
  since?: Micros;
  until?: Micros;
}

/**
 * `POST /export_channels` (stream-chat exportChannels, node-sdk exportChannels). Stream runs
 * the export as a task and answers with a file URL; Herald builds the file in the request, in
 * one transaction with its task (completed, or failed with the reason), and serves it from its
 * own route: the task's result.url is `GET /export_channels/{task_id}/download?token=…`, whose
 * random token stands in for a pre-signed URL's signature (no API key or JWT needed).
 */
export class ChannelExportService {
  constructor(
    private readonly deps: AppDeps,
    private readonly encode: ExportEncoder,
  ) {}

  async export(caller: Caller, input: ExportChannelsInput, downloadBase: string): Promise<Task> {
    requireServer(caller, 'ExportChannels');
    if (input.format !== undefined && input.format !== 'json') throw inputError(`format "${input.format}" is not supported; Herald exports json`, { format: 'not supported' });
    if (input.channels.length === 0) throw inputError('channels must name at least one channel', { channels: 'required' });
    if (input.channels.length > MAX_EXPORT_CHANNELS) throw inputError(`at most ${MAX_EXPORT_CHANNELS} channels per export`, { channels: 'too many' });
    const refs = input.channels.map((ref, i) => this.resolve(ref, i));
    const now = this.deps.clock.nowMicros();
    const task: Task = { id: this.deps.ids.next(), type: EXPORT_TASK_TYPE, status: TaskStatus.completed, result: null, error: null, created_at: now, updated_at: now };
    const token = randomBytes(32).toString('hex');
    await this.deps.storage.transaction(async (stores) => {
      const data = await this.collect(stores, refs, input);
      if (typeof data === 'string') {
        task.status = TaskStatus.failed;
        task.error = data;
      } else {
        await stores.channelExports.insert({ task_id: task.id, token, body: this.encode(data), created_at: now });
        task.result = { url: `${downloadBase}/export_channels/${encodeURIComponent(task.id)}/download?token=${token}` };
      }
      await stores.tasks.insert(task);
    });
    return task;
  }

  /** `GET /export_channels/{id}` (stream-chat getExportChannelStatus): the task. */
  async status(caller: Caller, id: string): Promise<Task> {
    requireServer(caller, 'GetExportChannelsStatus');
    const task = await this.deps.storage.tasks.get(id);
    if (!task || task.type !== EXPORT_TASK_TYPE) throw notFound(`export task "${id}" does not exist`);
    return task;
  }

  /** The file behind result.url; any wrong token is as unknown as a wrong id. */
  async download(taskId: string, token: string | undefined): Promise<string> {
    const file = await this.deps.storage.channelExports.get(taskId);
    const given = Buffer.from(token ?? '');
    const expected = Buffer.from(file?.token ?? '');
    if (!file || given.length !== expected.length || !timingSafeEqual(given, expected)) throw notFound(`export "${taskId}" does not exist`);
    return file.body;
  }

  private resolve(ref: ExportChannelRef, i: number): Resolved {
    const field = `channels.${i}`;
    let cid: string;
    if (typeof ref.cid === 'string' && ref.cid !== '') cid = ref.cid;
    else if (typeof ref.type === 'string' && typeof ref.id === 'string' && ref.type !== '' && ref.id !== '') cid = cidOf(ref.type, ref.id);
    else throw inputError(`${field} needs a cid, or a type and an id`, { [field]: 'no channel' });
    checkChannelType(splitCid(cid).type);
    return {
      cid,
      ...(ref.messages_since != null && { since: parseTime(ref.messages_since, `${field}.messages_since`) }),
      ...(ref.messages_until != null && { until: parseTime(ref.messages_until, `${field}.messages_until`) }),
    };
  }

  /** The export's content, or why it cannot be made. */
  private async collect(stores: Stores, refs: Resolved[], input: ExportChannelsInput): Promise<ChannelExportData | string> {
    const found: Array<{ channel: Channel; members: MemberWithUser['member'][]; messages: Message[] }> = [];
    let total = 0;
    for (const ref of refs) {
      const channel = await stores.channelExports.channel(ref.cid, Boolean(input.include_soft_deleted_channels));
      if (!channel) throw notFound(`channel "${ref.cid}" does not exist`);
      const members = [];
      for (let offset = 0; ; offset += PAGE) {
        const page = await stores.channels.members(ref.cid, PAGE, offset);
        members.push(...page);
        if (page.length < PAGE) break;
      }
      const messages: Message[] = [];
      for (let after: string | null = null; ; ) {
        const page = await stores.channelExports.messages(ref.cid, { after, limit: PAGE, since: ref.since, until: ref.until });
        for (const m of page) {
          const truncated = m.deleted_at !== null && channel.truncated_at != null && m.created_at <= channel.truncated_at;
          if (truncated && !input.include_truncated_messages) continue;
          messages.push(m.deleted_at !== null && input.clear_deleted_message_text ? { ...m, text: '' } : m);
        }
        total += page.length;
        if (total > MAX_EXPORT_MESSAGES) {
          return `the export holds more than ${MAX_EXPORT_MESSAGES} messages: export fewer channels or a shorter time range (messages_since, messages_until)`;
        }
        if (page.length < PAGE) break;
        after = page[page.length - 1].id;
      }
      found.push({ channel, members, messages });
    }
    const users = await usersById(stores, found.flatMap((f) => [
      ...(f.channel.created_by_id ? [f.channel.created_by_id] : []), ...f.members.map((m) => m.user_id), ...f.messages.map((m) => m.user_id),
    ]));
    const userOf = (id: string) => users.get(id) ?? null;
    return {
      channels: found.map((f) => ({
        channel: f.channel,
        created_by: f.channel.created_by_id ? userOf(f.channel.created_by_id) : null,
        members: f.members.map((member) => ({ member, user: userOf(member.user_id) })),
        messages: f.messages.map((message) => ({ message, user: userOf(message.user_id) })),
      })),
      users: input.export_users ? [...users.values()] : null,
    };
  }
}

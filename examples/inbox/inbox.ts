import { StreamChat, type Channel, type Event, type LocalMessage } from 'stream-chat';

/**
 * An example inbox: the unmodified stream-chat browser client, pointed at the Herald that
 * serves this page. It signs in with a user token (from the form, or from the page's
 * fragment: #key=…&user=…&token=…), lists the user's channels and shows messages as they
 * arrive, campaign messages included, without reloading.
 */
const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const form = $<HTMLFormElement>('#sign-in');
const status = $('#status');
const list = $('#channels');
const empty = $('#empty');
const messages = $('#messages');
const title = $('#channel-title');

let client: StreamChat;
let channels: Channel[] = [];
let selected: Channel | undefined;

function channelName(channel: Channel): string {
  const data = channel.data as { name?: string } | undefined;
  if (data?.name) return data.name;
  const others = Object.values(channel.state.members).filter((m) => m.user?.id !== client.userID);
  return others.map((m) => m.user?.name ?? m.user?.id).join(', ') || channel.cid;
}

function renderChannels(): void {
  list.replaceChildren(
    ...channels.map((channel) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-current', String(channel === selected));
      button.dataset.cid = channel.cid;
      const name = Object.assign(document.createElement('span'), { className: 'name', textContent: channelName(channel) });
      const unread = Object.assign(document.createElement('span'), { className: 'unread', textContent: String(channel.countUnread() || '') });
      const last = channel.state.latestMessages.at(-1);
      const preview = Object.assign(document.createElement('span'), { className: 'preview', textContent: last?.text ?? '' });
      button.append(name, unread, preview);
      button.addEventListener('click', () => void select(channel));
      item.append(button);
      return item;
    }),
  );
  empty.hidden = channels.length > 0;
}

function renderMessages(): void {
  if (!selected) return;
  title.textContent = channelName(selected);
  messages.replaceChildren(...selected.state.latestMessages.map((m: LocalMessage) => {
    const item = document.createElement('li');
    item.dataset.id = m.id;
    const author = Object.assign(document.createElement('div'), { className: 'author', textContent: m.user?.name ?? m.user?.id ?? '' });
    const text = Object.assign(document.createElement('div'), { className: 'text', textContent: m.text ?? '' });
    item.append(author, text);
    return item;
  }));
  messages.scrollTop = messages.scrollHeight;
}

async function select(channel: Channel): Promise<void> {
  selected = channel;
  renderMessages();
  renderChannels();
  await channel.markRead();
  renderChannels();
}

/** A channel the client just heard of (a campaign created it): watch it and list it first. */
async function adopt(event: Event): Promise<void> {
  if (!event.channel_type || !event.channel_id) return;
  const channel = client.channel(event.channel_type, event.channel_id);
  if (!channels.includes(channel)) {
    await channel.watch();
    channels = [channel, ...channels.filter((c) => c !== channel)];
  }
  if (!selected) await select(channel);
  renderChannels();
}

async function signIn(key: string, userId: string, token: string): Promise<void> {
  status.textContent = 'connecting…';
  client = new StreamChat(key, { baseURL: location.origin });
  await client.connectUser({ id: userId }, token);
  channels = await client.queryChannels({ members: { $in: [userId] } }, { last_message_at: -1 }, { watch: true, limit: 30 });
  form.hidden = true;
  $('main').hidden = false;
  status.textContent = `signed in as ${userId}`;
  client.on('notification.added_to_channel', (event) => void adopt(event));
  client.on('notification.message_new', (event) => void adopt(event));
  client.on('message.new', (event) => {
    const channel = channels.find((c) => c.cid === event.cid);
    if (channel && channel === selected) void select(channel);
    renderChannels();
  });
  // Reads (here or on another device) clear the unread badges.
  client.on('message.read', renderChannels);
  client.on('notification.mark_read', renderChannels);
  renderChannels();
  if (channels[0]) await select(channels[0]);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  signIn(String(data.get('key')), String(data.get('user')), String(data.get('token'))).catch((error: unknown) => {
    status.textContent = `could not sign in: ${error instanceof Error ? error.message : String(error)}`;
  });
});

const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.get('key') && fragment.get('user') && fragment.get('token')) {
  for (const name of ['key', 'user', 'token']) (form.elements.namedItem(name) as HTMLInputElement).value = fragment.get(name)!;
  form.requestSubmit();
}

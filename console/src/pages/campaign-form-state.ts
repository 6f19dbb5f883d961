import { idList } from '../format';
import type { Campaign } from '../wire-types';

/** The campaign form's values, as the controls hold them (strings, booleans). */
export interface FormState {
  name: string;
  sender_id: string;
  audience: 'segments' | 'users';
  segment_ids: string[];
  user_ids: string;
  text: string;
  create_channels: boolean;
  channel_type: string;
  channel_id: string;
  sender_mode: '' | 'include' | 'exclude';
  show_channels: boolean;
  skip_push: boolean;
  skip_webhook: boolean;
  throttle: string;
  window: boolean;
  window_start: string;
  window_end: string;
  timezone_field: string;
  default_timezone: string;
}

/** The API fields the form has a control for: where a 400 that names one is shown. */
export const FORM_FIELDS = [
  'name', 'sender_id', 'segment_ids', 'user_ids', 'message_template.text', 'create_channels',
  'channel_template.type', 'channel_template.id', 'sender_mode', 'show_channels', 'skip_push', 'skip_webhook',
  'max_messages_per_second', 'delivery_window', 'delivery_window.start', 'delivery_window.end', 'delivery_window.timezone_field',
  'delivery_window.default_timezone',
] as const;

export const emptyForm = (): FormState => ({
  name: '',
  sender_id: '',
  audience: 'segments',
  segment_ids: [],
  user_ids: '',
  text: '',
  create_channels: true,
  channel_type: 'messaging',
  channel_id: '',
  sender_mode: '',
  show_channels: false,
  skip_push: false,
  skip_webhook: false,
  throttle: '',
  window: false,
  window_start: '09:00',
  window_end: '20:00',
  timezone_field: 'timezone',
  default_timezone: 'UTC',
});

export function formOf(c: Campaign): FormState {
  const w = c.delivery_window;
  return {
    name: c.name,
    sender_id: c.sender_id,
    audience: c.user_ids.length > 0 ? 'users' : 'segments',
    segment_ids: c.segment_ids,
    user_ids: c.user_ids.join(', '),
    text: c.message_template.text,
    create_channels: c.create_channels,
    channel_type: c.channel_template?.type ?? '',
    channel_id: c.channel_template?.id ?? '',
    sender_mode: (c.sender_mode || '') as FormState['sender_mode'],
    show_channels: c.show_channels,
    skip_push: c.skip_push,
    skip_webhook: c.skip_webhook,
    throttle: c.max_messages_per_second === null ? '' : String(c.max_messages_per_second),
    window: w !== null,
    window_start: w?.start ?? '09:00',
    window_end: w?.end ?? '20:00',
    timezone_field: w?.timezone_field ?? 'timezone',
    default_timezone: w?.default_timezone ?? 'UTC',
  };
}

/**
 * The body of POST /campaigns and PUT /campaigns/{id}. Fields the form does not show (the
 * template's attachments and custom data, the channel template's members…) are kept from
 * the saved campaign. Values the server must judge are sent as typed, so that its 400 names
 * the field (a throttle of "abc" stays a string).
 */
export function bodyOf(form: FormState, saved: Campaign | null): Record<string, unknown> {
  const throttle = form.throttle.trim();
  const channelTemplate = form.channel_type || form.channel_id || form.create_channels
    ? { ...saved?.channel_template, type: form.channel_type, id: form.channel_id || undefined }
    : undefined;
  return {
    name: form.name,
    sender_id: form.sender_id.trim(),
    segment_ids: form.audience === 'segments' ? form.segment_ids : [],
    user_ids: form.audience === 'users' ? idList(form.user_ids) : [],
    message_template: { ...saved?.message_template, text: form.text },
    create_channels: form.create_channels,
    ...(channelTemplate && { channel_template: channelTemplate }),
    ...(form.sender_mode && { sender_mode: form.sender_mode }),
    show_channels: form.show_channels,
    skip_push: form.skip_push,
    skip_webhook: form.skip_webhook,
    max_messages_per_second: throttle === '' ? null : Number.isFinite(Number(throttle)) ? Number(throttle) : throttle,
    delivery_window: form.window
      ? { start: form.window_start, end: form.window_end, timezone_field: form.timezone_field || undefined, default_timezone: form.default_timezone || undefined }
      : null,
  };
}

/** A new campaign is saved (as a draft) once it has what the API requires: a sender and a text. */
export const readyToCreate = (form: FormState): boolean => form.sender_id.trim() !== '' && form.text.trim() !== '';

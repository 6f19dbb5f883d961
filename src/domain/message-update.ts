import type { Micros } from './clock.js';
import { splitCid } from './channel.js';
import { checkCustomData, type CustomDataLimits } from './custom-data.js';
import { inputError } from './errors.js';
import { checkMessageLength, MAX_ATTACHMENTS, messageReservedFields, type Message } from './message.js';
import { parseTime } from './time.js';

/**
 * Edits of a message, as Stream's update (a full replace of its content) and partial update
 * (`set` and `unset`), including pinning, which stream-chat's pinMessage/unpinMessage send as
 * a partial update of `pinned`, `pin_expires` and `pinned_at`.
 */

/** Who edits, and when; the limits of custom data. */
export interface EditContext {
  actorId: string;
  now: Micros;
  limits: CustomDataLimits;
}

/** The body of a full update: what is absent is emptied, except the pin when `pinned` is absent. */
export interface MessageReplacement {
  text?: string;
  attachments?: unknown[];
  custom: Record<string, unknown>;
  pinned?: boolean;
  pinned_at?: unknown;
  pin_expires?: unknown;
  quoted_message_id?: string | null;
  show_in_channel?: boolean;
  /** Sent back by clients with the rest of the message; it cannot change. */
  parent_id?: string | null;
}

interface PinChange {
  pinned?: boolean;
  pinned_at?: unknown;
  pin_expires?: unknown;
}

// Fields a partial update may set or unset besides custom data; the other reserved ones are read-only.
const settable = new Set(['text', 'attachments', 'pinned', 'pinned_at', 'pin_expires', 'quoted_message_id', 'show_in_channel', 'custom']);

/** Text, attachments or a poll, within Stream's limits: what a sent or edited message must have. */
export function checkMessageContent(text: string, attachments: readonly unknown[], pollId: string | null, channelType: string): void {
  checkMessageLength(text, channelType);
  if (attachments.length > MAX_ATTACHMENTS) throw inputError(`at most ${MAX_ATTACHMENTS} attachments`, { attachments: 'too many' });
  if (!attachments.every((a) => a !== null && typeof a === 'object' && !Array.isArray(a))) {
    throw inputError('every attachment must be an object', { attachments: 'invalid' });
  }
  if (text === '' && attachments.length === 0 && !pollId) {
    throw inputError('message text, attachments or poll_id are required', { text: 'required' });
  }
}

/** POST /messages/{id}: the message's content replaced by the body's. */
export function replaceMessage(message: Message, body: MessageReplacement, ctx: EditContext): Message {
  if (body.parent_id !== undefined && (body.parent_id || null) !== (message.parent_id ?? null)) {
    throw inputError('parent_id cannot be changed', { parent_id: 'read-only' });
  }
  const next: Message = { ...message, text: body.text ?? '', attachments: body.attachments ?? [], custom: body.custom };
  if (body.quoted_message_id !== undefined) next.quoted_message_id = body.quoted_message_id || null;
  if (body.show_in_channel !== undefined) next.show_in_channel = body.show_in_channel;
  return finish(message, withPin(next, message, body, ctx), ctx);
}

/** PUT /messages/{id}: `set` and `unset` applied to the message (custom data for unknown keys). */
export function patchMessage(message: Message, set: Record<string, unknown>, unset: readonly string[], ctx: EditContext): Message {
  const both = unset.find((key) => Object.hasOwn(set, key));
  if (both !== undefined) throw inputError(`"${both}" cannot be both set and unset`, { [both]: 'set and unset' });
  const next: Message = { ...message, custom: { ...message.custom } };
  const pin: PinChange = {};
  for (const key of unset) {
    if (key === 'text') next.text = '';
    else if (key === 'attachments') next.attachments = [];
    else if (key === 'quoted_message_id') next.quoted_message_id = null;
    else if (key === 'pinned') pin.pinned = false;
    else if (key === 'pin_expires') pin.pin_expires = null;
    else if (key === 'show_in_channel') next.show_in_channel = false;
    else if (messageReservedFields.has(key)) throw inputError(`"${key}" cannot be unset`, { [key]: 'read-only' });
    else delete next.custom[key];
  }
  for (const [key, value] of Object.entries(set)) {
    if (messageReservedFields.has(key) && !settable.has(key)) throw inputError(`"${key}" is a reserved field and cannot be set`, { [key]: 'read-only' });
    switch (key) {
      case 'text':
        if (typeof value !== 'string') throw inputError('text must be a string', { text: 'invalid' });
        next.text = value;
        break;
      case 'attachments':
        if (!Array.isArray(value)) throw inputError('attachments must be an array', { attachments: 'invalid' });
        next.attachments = value;
        break;
      case 'quoted_message_id':
        if (value !== null && typeof value !== 'string') throw inputError('quoted_message_id must be a string', { quoted_message_id: 'invalid' });
        next.quoted_message_id = value || null;
        break;
      case 'show_in_channel':
        if (typeof value !== 'boolean') throw inputError('show_in_channel must be a boolean', { show_in_channel: 'invalid' });
        next.show_in_channel = value;
        break;
      case 'pinned':
        if (typeof value !== 'boolean') throw inputError('pinned must be a boolean', { pinned: 'invalid' });
        pin.pinned = value;
        break;
      case 'pinned_at':
      case 'pin_expires':
        pin[key] = value;
        break;
      case 'custom':
        // The v2 shape: custom fields nested under `custom`.
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw inputError('custom must be an object', { custom: 'invalid' });
        Object.assign(next.custom, value);
        break;
      default:
        next.custom[key] = value;
    }
  }
  return finish(message, withPin(next, message, pin, ctx), ctx);
}

/**
 * Pins or unpins. A new pin is by the actor, at `pinned_at` or now; re-pinning a pinned
 * message keeps who pinned it. Without `pinned`, the expiry of a standing pin may change.
 */
function withPin(next: Message, before: Message, change: PinChange, ctx: EditContext): Message {
  const wasPinned = before.pinned_at != null;
  if (change.pinned === false) return { ...next, pinned_at: null, pinned_by_id: null, pin_expires: null };
  if (change.pinned === undefined && !wasPinned) return next;
  const expires = change.pin_expires === undefined ? (wasPinned ? (before.pin_expires ?? null) : null) : optionalTime(change.pin_expires, 'pin_expires');
  // A client that sends the message back unchanged sends its standing expiry, checked when set.
  if (expires !== null && expires !== before.pin_expires && expires <= ctx.now) throw inputError('pin_expires must be in the future', { pin_expires: 'in the past' });
  if (change.pinned === undefined) return { ...next, pin_expires: expires };
  const at = optionalTime(change.pinned_at, 'pinned_at');
  return {
    ...next,
    pinned_at: at ?? (wasPinned ? before.pinned_at! : ctx.now),
    pinned_by_id: wasPinned ? (before.pinned_by_id ?? ctx.actorId) : ctx.actorId,
    pin_expires: expires,
  };
}

function optionalTime(value: unknown, field: string): Micros | null {
  return value === null || value === undefined || value === '' ? null : parseMessageTime(value, field);
}

/** A wire time that the bigint columns (and SQL parameters) can hold: ±2^53 micros. */
export function parseMessageTime(value: unknown, field: string): Micros {
  const micros = parseTime(value, field);
  if (!Number.isSafeInteger(micros)) throw inputError(`${field} is out of range`, { [field]: 'out of range' });
  return micros;
}

/** The checks every edit passes, and the times it sets: text_updated_at only when the text changed. */
function finish(before: Message, next: Message, ctx: EditContext): Message {
  checkMessageContent(next.text, next.attachments, next.poll_id, splitCid(next.cid).type);
  checkCustomData(next.custom, 'message', ctx.limits);
  return {
    ...next,
    updated_at: ctx.now,
    text_updated_at: next.text !== before.text ? ctx.now : (before.text_updated_at ?? null),
  };
}

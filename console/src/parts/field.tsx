import type { ComponentChildren } from 'preact';
import { ApiError } from '../api';

/** A control's id from the API field it edits: `delivery_window.start` → `f-delivery_window-start`. */
export const fieldId = (field: string): string => `f-${field.replace(/[^\w-]/g, '-')}`;

/** What a control needs so that its error is announced with it: aria-invalid and aria-describedby. */
export function described(field: string, error: string | undefined, hint?: boolean): Record<string, string | undefined> {
  const ids = [hint ? `${fieldId(field)}-hint` : '', error ? `${fieldId(field)}-error` : ''].filter(Boolean).join(' ');
  return { id: fieldId(field), 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': ids || undefined };
}

/** A label, its control, an optional hint and the API's error for this field, stacked. */
export function Field(props: { field: string; label: string; error?: string; hint?: string; children: ComponentChildren; inline?: boolean }) {
  const id = fieldId(props.field);
  return (
    <div class={props.inline ? 'field inline' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.children}
      {props.hint && <small id={`${id}-hint`} class="hint">{props.hint}</small>}
      {props.error && <p id={`${id}-error`} class="field-error" role="alert">{props.error}</p>}
    </div>
  );
}

export interface PlacedErrors {
  /** Field → the server's message, for the fields this form shows. */
  byField: Record<string, string>;
  /** An error that names none of them, shown at the top of the form. */
  general: string | null;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const within = (key: string, field: string) =>
  key === field || key.startsWith(`${field}.`) || key.startsWith(`${field}[`) || field.startsWith(`${key}.`) || field.startsWith(`${key}[`);

/**
 * Puts an API error next to the field it names: by Stream's `exception_fields` (Herald's
 * `inputError(message, {field: …})`), else by the field named in the message
 * ("max_messages_per_second must be an integer …"); otherwise it is a general error.
 */
export function placeErrors(error: unknown, fields: readonly string[]): PlacedErrors {
  if (!error) return { byField: {}, general: null };
  if (!(error instanceof ApiError)) return { byField: {}, general: (error as Error).message ?? String(error) };
  for (const key of Object.keys(error.fields)) {
    const field = fields.find((f) => f === key) ?? fields.find((f) => within(key, f));
    if (field) return { byField: { [field]: error.detail }, general: null };
  }
  const named = fields
    .filter((f) => new RegExp(`(^|[\\s"'(])${escape(f)}($|[\\s:."',)\\[])`).test(error.detail))
    .sort((a, b) => b.length - a.length)[0];
  return named ? { byField: { [named]: error.detail }, general: null } : { byField: {}, general: error.detail };
}

/** A form-level message: the error no field claimed, or a notice. */
export function Notice(props: { error?: string | null; ok?: string | null }) {
  if (props.error) return <p class="notice error" role="alert">{props.error}</p>;
  if (props.ok) return <p class="notice ok" role="status">{props.ok}</p>;
  return null;
}

import { count } from '../format';
import { described, Field } from '../parts/field';
import type { Segment } from '../wire-types';
import type { FormState } from './campaign-form-state';

export interface FieldsProps {
  form: FormState;
  set: (patch: Partial<FormState>) => void;
  errors: Record<string, string>;
  segments: Segment[] | undefined;
  disabled: boolean;
}

type TextKey = { [K in keyof FormState]: FormState[K] extends string ? K : never }[keyof FormState];
type FlagKey = { [K in keyof FormState]: FormState[K] extends boolean ? K : never }[keyof FormState];

function Text(props: FieldsProps & { field: string; name: TextKey; label: string; hint?: string; type?: string; area?: boolean }) {
  const error = props.errors[props.field];
  const common = {
    ...described(props.field, error, Boolean(props.hint)),
    value: props.form[props.name],
    disabled: props.disabled,
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => props.set({ [props.name]: e.currentTarget.value }),
  };
  return (
    <Field field={props.field} label={props.label} error={error} hint={props.hint}>
      {props.area ? <textarea rows={4} {...common} /> : <input type={(props.type ?? 'text') as 'text'} autocomplete="off" {...common} />}
    </Field>
  );
}

function Flag(props: FieldsProps & { field: string; name: FlagKey; label: string }) {
  const error = props.errors[props.field];
  return (
    <Field field={props.field} label={props.label} error={error} inline>
      <input type="checkbox" {...described(props.field, error)} checked={props.form[props.name]} disabled={props.disabled}
        onChange={(e) => props.set({ [props.name]: e.currentTarget.checked })} />
    </Field>
  );
}

function SegmentPicker(props: FieldsProps) {
  const { form, segments } = props;
  const error = props.errors.segment_ids;
  const toggle = (id: string, on: boolean) =>
    props.set({ segment_ids: on ? [...form.segment_ids, id] : form.segment_ids.filter((s) => s !== id) });
  return (
    <fieldset class="segment-picker" aria-describedby={error ? 'f-segment_ids-error' : undefined}>
      <legend>Segments</legend>
      {segments === undefined && <p class="hint">Loading segments…</p>}
      {segments?.length === 0 && <p class="hint">No segments yet: create one under Segments, or give user ids.</p>}
      {segments?.map((s) => (
        <label class="check" key={s.id}>
          <input type="checkbox" checked={form.segment_ids.includes(s.id)} disabled={props.disabled}
            onChange={(e) => toggle(s.id, e.currentTarget.checked)} />
          {s.name || s.id} <small>({s.type}, {s.size_computed_at ? count(s.size) : 'size pending'})</small>
        </label>
      ))}
      {error && <p id="f-segment_ids-error" class="field-error" role="alert">{error}</p>}
    </fieldset>
  );
}

export function AudienceFields(props: FieldsProps) {
  return (
    <fieldset>
      <legend>Audience</legend>
      <div class="choice" role="radiogroup" aria-label="Audience">
        {(['segments', 'users'] as const).map((kind) => (
          <label class="check" key={kind}>
            <input type="radio" name="audience" checked={props.form.audience === kind} disabled={props.disabled}
              onChange={() => props.set({ audience: kind })} />
            {kind === 'segments' ? 'Segments' : 'User ids'}
          </label>
        ))}
      </div>
      {props.form.audience === 'segments'
        ? <SegmentPicker {...props} />
        : <Text {...props} field="user_ids" name="user_ids" label="User ids" area hint="Comma, space or newline separated; at most 10,000." />}
    </fieldset>
  );
}

export function ChannelFields(props: FieldsProps) {
  const error = props.errors.sender_mode;
  return (
    <fieldset>
      <legend>Channels</legend>
      <Flag {...props} field="create_channels" name="create_channels" label="Create channels that do not exist (create_channels)" />
      <Text {...props} field="channel_template.type" name="channel_type" label="Channel type" />
      <Text {...props} field="channel_template.id" name="channel_id" label="Channel id template"
        hint="Liquid, e.g. promo-{{ receiver.id }}; empty: a distinct channel of the sender and the receiver." />
      <Field field="sender_mode" label="Sender in the channel (sender_mode)" error={error}>
        <select {...described('sender_mode', error)} value={props.form.sender_mode} disabled={props.disabled}
          onChange={(e) => props.set({ sender_mode: e.currentTarget.value as FormState['sender_mode'] })}>
          <option value="">default</option>
          <option value="include">include</option>
          <option value="exclude">exclude</option>
        </select>
      </Field>
      <Flag {...props} field="show_channels" name="show_channels" label="Show hidden channels again (show_channels)" />
      <Flag {...props} field="skip_push" name="skip_push" label="Skip push (skip_push)" />
      <Flag {...props} field="skip_webhook" name="skip_webhook" label="Skip chat webhooks (skip_webhook)" />
    </fieldset>
  );
}

export function PacingFields(props: FieldsProps) {
  return (
    <fieldset>
      <legend>Throttle and delivery window</legend>
      <Text {...props} field="max_messages_per_second" name="throttle" type="number" label="Max messages per second" hint="Empty: no limit." />
      <Flag {...props} field="delivery_window" name="window" label="Only deliver inside a window of the recipient's local time" />
      {props.form.window && (
        <div class="row">
          <Text {...props} field="delivery_window.start" name="window_start" type="time" label="Window start" />
          <Text {...props} field="delivery_window.end" name="window_end" type="time" label="Window end" />
          <Text {...props} field="delivery_window.timezone_field" name="timezone_field" label="Time zone user field" />
          <Text {...props} field="delivery_window.default_timezone" name="default_timezone" label="Default time zone" />
        </div>
      )}
    </fieldset>
  );
}

export { Text as TextField };

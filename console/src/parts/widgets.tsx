import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { percent } from '../format';

/** A native <progress>: role progressbar, its aria-valuenow the percentage. */
export function ProgressBar(props: { fraction: number; label: string }) {
  const value = percent(props.fraction);
  return (
    <span class="progress">
      <progress max={100} value={value} aria-label={props.label} />
      <span class="progress-value">{value}%</span>
    </span>
  );
}

export function StatusBadge(props: { status: string }) {
  return <span class={`badge status-${props.status}`}>{props.status.replace('_', ' ')}</span>;
}

/**
 * Previous / Next over the API's opaque cursors. Keyset pages (targets) give only `next`:
 * the pager remembers the cursors it came through, so Previous works there too.
 */
export function Pager(props: { label: string; hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void; page: number }) {
  if (!props.hasPrev && !props.hasNext) return null;
  return (
    <nav class="pager" aria-label={props.label}>
      <button type="button" disabled={!props.hasPrev} onClick={props.onPrev}>Previous</button>
      <span>Page {props.page}</span>
      <button type="button" disabled={!props.hasNext} onClick={props.onNext}>Next</button>
    </nav>
  );
}

/** The cursor stack behind a Pager: `cursor` is the page shown, undefined for the first. */
export class CursorTrail {
  constructor(readonly stack: readonly string[] = []) {}
  get cursor(): string | undefined {
    return this.stack[this.stack.length - 1];
  }
  get page(): number {
    return this.stack.length + 1;
  }
  next(cursor: string): CursorTrail {
    return new CursorTrail([...this.stack, cursor]);
  }
  prev(): CursorTrail {
    return new CursorTrail(this.stack.slice(0, -1));
  }
}

/**
 * A modal <dialog> asking to confirm a step that cannot be undone (recall, delete): focus
 * goes into it, Escape cancels.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={props.onCancel} onClose={() => props.open && props.onCancel()}>
      <h2 id="confirm-title">{props.title}</h2>
      {props.children}
      <div class="actions">
        <button type="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" class="danger" onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}

/** The page's document title and heading. */
export function PageTitle(props: { title: string; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · Herald console`;
  }, [props.title]);
  return (
    <div class="page-head">
      <h1>{props.title}</h1>
      {props.children}
    </div>
  );
}

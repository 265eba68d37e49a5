// A modal built on <dialog>: focus is trapped and restored by the browser, Escape closes it.
import { useEffect, useRef, type ReactNode } from 'react';

/**
 * Where focus goes once the dialog is open: the field marked data-autofocus, else the first field one
 * can type in. showModal() itself focuses the first focusable element, the header's Close button, and
 * React's autoFocus runs before the effect that opens the dialog, so it would be undone.
 */
function firstField(dialog: HTMLDialogElement): HTMLElement | null {
  return (
    dialog.querySelector<HTMLElement>('[data-autofocus]') ??
    dialog.querySelector<HTMLElement>('.dialog-body :is(input, select, textarea):not([readonly], [disabled], [type="hidden"])')
  );
}

export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      firstField(dialog)?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" aria-label={title} onClose={onClose} onCancel={onClose}>
      {/* A div, not a <header>: one outside <main> would be a second banner landmark. */}
      <div className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="dialog-body">{open ? children : null}</div>
    </dialog>
  );
}

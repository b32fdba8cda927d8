// A modal confirmation, as the Microsoft 365 admin center asks before it unassigns licenses or removes
// a member ("Unassign licenses?" naming the count affected). A native <dialog> opened with showModal():
// the page behind is inert, Escape cancels, and the keyboard goes back where it was when it closes.
import { h, button } from './dom.js';

let seq = 0;

/**
 * Asks a question; resolves with the key of the action chosen ('confirm', an extra action's key) or
 * null (Cancel, Escape).
 * @param {{title: string, text: string, detail?: Promise<string|Node|null>|string|null, confirmLabel: string, cancelLabel?: string, extra?: {key: string, label: string}[], testid?: string}} o
 * @returns {Promise<string|null>}
 */
export function confirmDialog(o) {
  const id = `dialog${++seq}`;
  const back = /** @type {HTMLElement|null} */ (document.activeElement);
  const detail = h('div', { class: 'm365-dialog-detail', attrs: { 'aria-live': 'polite', 'data-testid': 'dialog-detail' } });
  const dialog = h('dialog', {
    class: 'm365-dialog',
    attrs: { 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-text`, 'data-testid': o.testid || 'confirm-dialog' },
  });
  return new Promise((resolve) => {
    let answer = null;
    const finish = (key) => {
      answer = key;
      dialog.close();
    };
    const actions = h('div', { class: 'm365-dialog-actions' },
      button(o.confirmLabel, () => finish('confirm'), { appearance: 'primary', testid: 'dialog-confirm' }),
      (o.extra || []).map((x) => button(x.label, () => finish(x.key), { appearance: 'outline' })),
      button(o.cancelLabel || 'Cancel', () => finish(null), { testid: 'dialog-cancel' }));
    dialog.append(
      h('h2', { class: 'm365-dialog-title', id: `${id}-title`, text: o.title }),
      h('p', { id: `${id}-text`, text: o.text }),
      detail,
      actions);
    dialog.addEventListener('close', () => {
      dialog.remove();
      back?.focus?.();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The primary action has the keyboard (the question was asked on purpose).
    dialog.querySelector('fluent-button')?.focus();
    if (o.detail) {
      detail.textContent = 'Working out who is affected…';
      Promise.resolve(o.detail).then((d) => {
        detail.replaceChildren(d ?? '');
      }, () => {
        detail.textContent = '';
      });
    }
  });
}

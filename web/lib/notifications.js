// Portal notifications: a bell at the top right with a panel listing every notification (newest first),
// plus short-lived toasts. A notification can be updated while its job runs and can open a details blade.
import { h, replace, icon, dateTime } from './dom.js';
import * as shell from './shell.js';

const items = []; // newest first
let seq = 0;
let bell;
let badge;
let panel;
let listEl;
let toastsEl;
const unread = new Set(); // ids of notifications not seen since the panel was last opened

export function mount({ bellButton, badgeEl, panelEl, toasts }) {
  bell = bellButton;
  badge = badgeEl;
  panel = panelEl;
  toastsEl = toasts;
  listEl = h('div', { class: 'notif-list', attrs: { role: 'list', 'aria-label': 'Notifications' } });
  const dismissAll = h('button', { type: 'button', class: 'link-button', text: 'Dismiss all' });
  dismissAll.addEventListener('click', () => {
    items.length = 0;
    renderPanel();
  });
  const closeBtn = h('button', { type: 'button', class: 'blade-close', attrs: { 'aria-label': 'Close notifications' } }, icon('close'));
  closeBtn.addEventListener('click', () => toggle(false));
  replace(panel,
    h('div', { class: 'notif-head' }, h('h2', { text: 'Notifications' }), closeBtn),
    h('div', { class: 'notif-tools' }, dismissAll),
    listEl);
  bell.addEventListener('click', () => toggle(panel.hidden));
  // Alt+N from anywhere: to the newest toast (it stays while focused), or the panel when none shows.
  bell.setAttribute('aria-keyshortcuts', 'Alt+N');
  bell.title = 'Notifications (Alt+N)';
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !panel.hidden) {
      toggle(false);
      bell.focus();
    }
    if (ev.altKey && !ev.ctrlKey && !ev.metaKey && (ev.code === 'KeyN' || ev.key === 'n' || ev.key === 'N')) {
      ev.preventDefault();
      focusNewest();
    }
  });
  renderPanel();
}

/**
 * Moves the keyboard to the newest notification: the newest toast's first control (its details or
 * its Dismiss), or, when no toast is shown, the notifications panel.
 */
export function focusNewest() {
  const target = toastsEl?.querySelector('.toast button');
  if (target) target.focus();
  else toggle(true);
}

function toggle(open) {
  panel.hidden = !open;
  bell.setAttribute('aria-expanded', String(open));
  if (open) {
    renderPanel();
    // The panel shows everything the toasts would: clear them so they do not cover it.
    toastsEl?.replaceChildren();
    unread.clear();
    renderBadge();
    panel.querySelector('h2')?.setAttribute('tabindex', '-1');
    panel.querySelector('h2')?.focus();
  }
}

function renderBadge() {
  // One notification counts once, however often its job updates it.
  badge.textContent = unread.size ? String(unread.size) : '';
  badge.hidden = unread.size === 0;
  bell.setAttribute('aria-label', unread.size ? `Notifications, ${unread.size} new` : 'Notifications');
}

/**
 * Adds a notification. `status`: 'progress' | 'success' | 'error' | 'warning' | 'info'.
 * `details`: {type, args, opts} of a blade opened when the notification is clicked.
 * Returns {update(patch)}.
 */
export function notify({ title, text, status = 'info', details = null, progress = null }) {
  const n = { id: ++seq, title, text, status, details, progress, time: new Date().toISOString() };
  items.unshift(n);
  unread.add(n.id);
  renderBadge();
  renderPanel();
  toast(n);
  return {
    id: n.id,
    update(patch) {
      const statusChanged = patch.status && patch.status !== n.status;
      Object.assign(n, patch);
      n.time = new Date().toISOString();
      if (statusChanged) {
        unread.add(n.id);
        renderBadge();
        toast(n);
      } else updateToast(n);
      renderPanel();
    },
  };
}

function statusIcon(status) {
  if (status === 'progress') return h('fluent-spinner', { attrs: { size: 'tiny', 'aria-label': 'In progress' } });
  return icon(status === 'success' ? 'success' : status === 'error' ? 'error' : status === 'warning' ? 'warning' : 'info');
}

function card(n, inToast) {
  const body = [
    h('div', { class: 'notif-title' }, statusIcon(n.status), h('span', { text: n.title })),
    n.text ? h('div', { class: 'notif-text', text: n.text }) : null,
    n.progress ? progressBar(n.progress) : null,
    h('div', { class: 'notif-time', text: dateTime(n.time) }),
    n.details ? h('div', { class: 'notif-more', text: 'Select to view details' }) : null,
  ];
  const main = n.details
    ? h('button', { type: 'button', class: 'notif-main' }, body)
    : h('div', { class: 'notif-main' }, body);
  // A toast is a live region: an error is read out at once (alert), anything else politely (status).
  const el = h('div', {
    class: ['notif', `notif-${n.status}`, inToast && 'toast'],
    attrs: { role: inToast ? (n.status === 'error' ? 'alert' : 'status') : 'listitem', 'data-notif': String(n.id) },
  }, main);
  if (n.details) {
    main.addEventListener('click', () => {
      shell.openLast(n.details.type, n.details.args || [], n.details.opts || {});
      toggle(false);
      if (inToast) el.remove();
    });
  }
  if (inToast) {
    const close = h('button', { type: 'button', class: 'notif-close', attrs: { 'aria-label': `Dismiss ${n.title}` } }, icon('close'));
    close.addEventListener('click', () => el.remove());
    el.append(close);
  }
  return el;
}

function progressBar(p) {
  const bar = h('fluent-progress-bar', { attrs: { max: String(p.total || 1), value: String(p.processed || 0), 'aria-label': 'Progress' } });
  return bar;
}

/** Rebuilds the panel's list; while the panel is closed nobody sees it, so it is built on opening. */
function renderPanel() {
  if (!listEl || panel.hidden) return;
  replace(listEl, items.length ? items.map((n) => card(n, false)) : h('div', { class: 'empty', text: 'No notifications' }));
}

const toastTimers = new Map();

function toast(n) {
  if (!toastsEl || !panel.hidden) return;
  toastsEl.querySelector(`[data-notif="${n.id}"]`)?.remove();
  const el = card(n, true);
  toastsEl.prepend(el);
  while (toastsEl.childElementCount > 3) toastsEl.lastElementChild.remove();
  scheduleToastRemoval(n, el);
}

function scheduleToastRemoval(n, el) {
  clearTimeout(toastTimers.get(n.id));
  if (n.status === 'progress') return;
  // A toast the pointer or the keyboard is on stays until it is left (WCAG 2.2.1).
  if (!el.dataset.pausable) {
    el.dataset.pausable = 'true';
    const hold = () => clearTimeout(toastTimers.get(n.id));
    const resume = () => {
      if (!el.matches(':hover') && !el.contains(document.activeElement)) scheduleToastRemoval(n, el);
    };
    el.addEventListener('mouseenter', hold);
    el.addEventListener('focusin', hold);
    el.addEventListener('mouseleave', resume);
    el.addEventListener('focusout', () => setTimeout(resume, 0));
  }
  if (el.matches(':hover') || el.contains(document.activeElement)) return;
  toastTimers.set(n.id, setTimeout(() => el.remove(), n.status === 'error' ? 15000 : 8000));
}

/**
 * Brings a shown toast up to date. A running job updates it many times a second: its text, time and
 * bar change in place (new Fluent elements cost the page far more than new text).
 */
function updateToast(n) {
  const old = toastsEl?.querySelector(`[data-notif="${n.id}"]`);
  if (!old) return;
  const text = old.querySelector('.notif-text');
  let bar = old.querySelector('fluent-progress-bar');
  if (!!text !== !!n.text || !!old.querySelector('.notif-more') !== !!n.details) {
    const el = card(n, true);
    old.replaceWith(el);
    scheduleToastRemoval(n, el);
    return;
  }
  if (text) text.textContent = n.text;
  if (n.progress && !bar) {
    bar = progressBar(n.progress);
    old.querySelector('.notif-time')?.before(bar);
  } else if (!n.progress && bar) {
    bar.remove();
    bar = null;
  }
  if (bar) {
    bar.setAttribute('max', String(n.progress.total || 1));
    bar.setAttribute('value', String(n.progress.processed || 0));
  }
  const time = old.querySelector('.notif-time');
  if (time) time.textContent = dateTime(n.time);
  scheduleToastRemoval(n, old);
}

/** All notifications (for tests and the panel). */
export function all() {
  return items.slice();
}

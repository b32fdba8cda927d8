// Horizontal tabs, as the Microsoft 365 admin center's pages and panels show them (a product's Users /
// Groups, a group's Successfully assigned / Actions needed). WAI-ARIA tabs pattern: one tab stop, the
// arrow keys, Home and End move between tabs and select them; the panel is named by its tab.
import { h } from './dom.js';
import * as engine from './engine.js';

let seq = 0;

/**
 * Builds tabs inside a blade. `onSelect(item, view)` fills `view.body` (the tab panel); `view` is the
 * blade's context whose subscriptions (onChanged, onProgress, onDispose) end when another tab is chosen.
 * @param {any} ctx the blade's context
 * @param {{label: string, items: {key: string, label: string}[], selected?: string, onSelect: (item: any, view: any) => any}} o
 * @returns {{el: HTMLElement, select: (key: string) => void, setLabel: (key: string, text: string) => void}}
 */
export function tabLayout(ctx, { label, items, selected, onSelect }) {
  const id = `tabs${++seq}`;
  const panel = h('div', { class: 'm365-tabpanel', attrs: { role: 'tabpanel', id: `${id}-panel`, tabindex: '-1' } });
  const buttons = items.map((item) => {
    const b = h('button', {
      type: 'button',
      class: 'm365-tab',
      id: `${id}-${item.key}`,
      attrs: { role: 'tab', 'aria-selected': 'false', 'aria-controls': `${id}-panel`, 'data-tab': item.key },
      text: item.label,
    });
    b.addEventListener('click', () => select(item.key, true));
    return b;
  });
  const list = h('div', { class: 'm365-tabs', attrs: { role: 'tablist', 'aria-label': label } }, buttons);
  list.addEventListener('keydown', (ev) => {
    const i = buttons.indexOf(/** @type {any} */ (document.activeElement));
    if (i < 0) return;
    const next = { ArrowRight: (i + 1) % buttons.length, ArrowLeft: (i - 1 + buttons.length) % buttons.length, Home: 0, End: buttons.length - 1 }[ev.key];
    if (next === undefined) return;
    ev.preventDefault();
    buttons[next].focus();
    select(items[next].key, true);
  });
  let disposers = [];
  const dispose = () => {
    for (const d of disposers.splice(0)) {
      try {
        d();
      } catch (err) {
        console.error(err);
      }
    }
  };
  ctx.onDispose(dispose);

  /**
   * Shows one tab.
   * @param {string} key
   * @param {boolean} [user] chosen by the person (panels opened from the previous tab close)
   */
  function select(key, user = false) {
    const item = items.find((x) => x.key === key) || items[0];
    buttons.forEach((b, i) => {
      const on = items[i].key === item.key;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', `${id}-${item.key}`);
    dispose();
    panel.replaceChildren();
    if (user) ctx.closeChildren();
    const view = {
      ...ctx,
      body: panel,
      onChanged: (fn) => disposers.push(engine.on('changed', fn)),
      onProgress: (fn) => disposers.push(engine.on('progress', fn)),
      onDispose: (fn) => disposers.push(fn),
    };
    const r = onSelect(item, view);
    if (r && typeof r.catch === 'function') {
      r.catch((err) => {
        console.error(err);
        panel.replaceChildren(h('fluent-message-bar', { attrs: { intent: 'error' } }, `Something went wrong: ${engine.errorText(err)}`));
      });
    }
  }

  const el = h('div', { class: 'm365-tabbed' }, list, panel);
  select(selected || items[0].key, false);
  return {
    el,
    select,
    setLabel(key, text) {
      const b = buttons[items.findIndex((x) => x.key === key)];
      if (b && b.textContent !== text) b.textContent = text;
    },
  };
}

// Portal shell: blades that open to the right, breadcrumbs, and the location hash that lets a reload
// come back to the same blades.
import { h, replace, icon } from './dom.js';
import * as engine from './engine.js';

const registry = new Map();
const stack = []; // {type, args, def, el, disposers[]}
let bladesEl;
let crumbsEl;
let restoring = false;
let homeType = 'home'; // the view's home page (lib/view-switch.js)

/** The blade a closed stack falls back to, and a location without blades opens: the view's home. */
export function setHome(type) {
  homeType = type;
}

/**
 * Registers a blade type. `factory(args, opts)` returns
 * {title, subtitle?, size?: 'small'|'medium'|'large'|'wide', transient?, render(ctx)}.
 */
export function registerBlade(type, factory) {
  registry.set(type, factory);
}

export function mount(blades, crumbs) {
  bladesEl = blades;
  crumbsEl = crumbs;
  // The page's width decides which earlier blades show whole and which as a strip.
  new ResizeObserver(() => layoutBlades()).observe(bladesEl);
  window.addEventListener('hashchange', () => {
    if (!restoring && location.hash !== currentHash()) restoreFromHash();
  });
}

function currentHash() {
  const parts = [];
  for (const b of stack) {
    if (b.def.transient) break;
    parts.push([b.type, ...b.args].map((x) => encodeURIComponent(String(x))).join('~'));
  }
  return `#/${parts.join('/')}`;
}

function writeHash() {
  const hash = currentHash();
  if (location.hash !== hash) {
    restoring = true;
    history.replaceState(null, '', hash);
    restoring = false;
  }
}

/** Rebuilds the blade stack from the hash; falls back to `fallback` (type list) when empty or unknown. */
export function restoreFromHash(fallback = [[homeType, []]]) {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const wanted = parts.map((p) => {
    const [type, ...args] = p.split('~').map((x) => decodeURIComponent(x));
    return [type, args];
  }).filter(([type]) => registry.has(type));
  closeFrom(0);
  for (const [type, args] of wanted.length ? wanted : fallback) openAt(stack.length, type, args, {}, false);
  writeHash();
  focusBlade(stack[stack.length - 1]);
}

function closeFrom(index) {
  while (stack.length > index) {
    const b = stack.pop();
    for (const d of b.disposers) {
      try {
        d();
      } catch (err) {
        console.error(err);
      }
    }
    b.el.remove();
  }
  layoutBlades();
}

/** Width of an earlier blade shown as a strip (its title); the CSS of .blade-collapsed matches it. */
const STRIP_PX = 40;

/**
 * Lays the blades out so that none shows cut off: the active blade whole, the earlier ones whole
 * while they fit to its left, and the ones further left as a strip with their title (select it to
 * go back to that blade). The portal cut them off at the left edge ("xpiring s…").
 */
function layoutBlades() {
  if (!bladesEl || !stack.length) return;
  bladesEl.classList.remove('has-collapsed');
  for (const b of stack) b.el.classList.remove('blade-collapsed');
  const available = bladesEl.clientWidth;
  // Natural widths (flex: none; the last one grows only when everything fits).
  const widths = stack.map((b) => b.el.getBoundingClientRect().width);
  let firstWhole = 0;
  if (widths.reduce((a, w) => a + w, 0) > available + 1) {
    let used = widths[widths.length - 1];
    firstWhole = stack.length - 1;
    for (let i = stack.length - 2; i >= 0; i--) {
      if (used + widths[i] + i * STRIP_PX > available + 1) break;
      used += widths[i];
      firstWhole = i;
    }
  }
  const focused = document.activeElement;
  stack.forEach((b, i) => {
    const collapsed = i < firstWhole;
    // A strip keeps its content laid out at its width, unseen (its lists stay live and scrolled).
    if (collapsed) b.el.style.setProperty('--natural-width', `${widths[i]}px`);
    b.el.classList.toggle('blade-collapsed', collapsed);
    // The keyboard was inside a blade that became a strip: it stays on the strip.
    if (collapsed && focused && b.el.contains(focused) && focused !== b.stripEl) b.stripEl.focus({ preventScroll: true });
  });
  if (firstWhole) {
    bladesEl.classList.add('has-collapsed');
    bladesEl.style.setProperty('--collapsed-width', `${firstWhole * STRIP_PX}px`);
  }
}

/** Goes back to an earlier blade: the blades to its right close (as its breadcrumb does). */
function returnTo(entry) {
  const i = stack.indexOf(entry);
  if (i < 0) return;
  closeFrom(i + 1);
  writeHash();
  renderCrumbs();
  focusBlade(stack[i]);
}

function focusBlade(b) {
  if (!b) return;
  requestAnimationFrame(() => {
    b.el.scrollIntoView({ behavior: 'instant', block: 'nearest', inline: 'end' });
    b.titleEl.focus({ preventScroll: true });
  });
}

function openAt(index, type, args = [], opts = {}, focus = true) {
  const factory = registry.get(type);
  if (!factory) throw new Error(`Unknown blade ${type}`);
  closeFrom(index);
  const def = factory(args.map(String), opts);
  const titleEl = h('h2', { class: 'blade-title', tabIndex: -1, text: def.title });
  const subtitleEl = h('div', { class: 'blade-subtitle', text: def.subtitle || '' });
  const closeBtn = h('button', {
    class: 'blade-close',
    type: 'button',
    attrs: { 'aria-label': `Close ${def.title}` },
  }, icon('close'));
  const toolbar = h('div', { class: 'blade-toolbar', attrs: { role: 'toolbar', 'aria-label': `${def.title} commands` } });
  const body = h('div', { class: 'blade-body' });
  const footer = h('div', { class: 'blade-footer' });
  // Shown instead of the blade when it is an earlier blade that does not fit (layoutBlades).
  const stripEl = h('button', { type: 'button', class: 'blade-strip', title: `Back to ${def.crumb || def.title}` },
    h('span', { class: 'blade-strip-title', text: def.crumb || def.title }));
  const el = h('section', {
    class: ['blade', `blade-${def.size || 'medium'}`],
    attrs: { 'aria-labelledby': `${type}-title-${stack.length}`, 'data-blade': type },
  },
  h('header', { class: 'blade-header' }, h('div', { class: 'blade-titles' }, titleEl, subtitleEl), closeBtn),
  toolbar, body, footer, stripEl);
  titleEl.id = `${type}-title-${stack.length}`;
  bladesEl.append(el);
  const entry = { type, args: args.map(String), def, el, titleEl, stripEl, disposers: [] };
  stack.push(entry);
  closeBtn.addEventListener('click', () => close(entry));
  stripEl.addEventListener('click', () => returnTo(entry));
  layoutBlades();

  const ctx = {
    body,
    toolbar,
    footer,
    el,
    args: entry.args,
    opts,
    setTitle(title, subtitle) {
      def.title = title;
      titleEl.textContent = title;
      closeBtn.setAttribute('aria-label', `Close ${title}`);
      if (!def.crumb) {
        stripEl.firstChild.textContent = title;
        stripEl.title = `Back to ${title}`;
      }
      if (subtitle !== undefined) subtitleEl.textContent = subtitle;
      renderCrumbs();
    },
    /** Opens a child blade to the right of this one (closing any blades already there). */
    open(childType, childArgs = [], childOpts = {}) {
      const i = stack.indexOf(entry);
      if (i < 0) return null;
      const child = openAt(i + 1, childType, childArgs, childOpts);
      writeHash();
      renderCrumbs();
      return child;
    },
    /** Changes this blade's own arguments (e.g. the selected menu item) for the location hash. */
    setArgs(newArgs) {
      entry.args = newArgs.map(String);
      writeHash();
    },
    close: () => close(entry),
    closeChildren() {
      const i = stack.indexOf(entry);
      if (i >= 0) closeFrom(i + 1);
      writeHash();
      renderCrumbs();
    },
    /** Runs `fn` whenever the tenant changes, until the blade closes. */
    onChanged(fn) {
      entry.disposers.push(engine.on('changed', fn));
    },
    onProgress(fn) {
      entry.disposers.push(engine.on('progress', fn));
    },
    onDispose(fn) {
      entry.disposers.push(fn);
    },
    isOpen: () => stack.includes(entry),
  };
  entry.ctx = ctx;
  try {
    const r = def.render(ctx);
    if (r && typeof r.catch === 'function') r.catch((err) => showBladeError(body, err));
  } catch (err) {
    showBladeError(body, err);
  }
  if (!toolbar.childElementCount) toolbar.hidden = true;
  if (!footer.childElementCount) footer.hidden = true;
  const observer = new MutationObserver(() => {
    toolbar.hidden = !toolbar.childElementCount;
    footer.hidden = !footer.childElementCount;
  });
  observer.observe(toolbar, { childList: true });
  observer.observe(footer, { childList: true });
  entry.disposers.push(() => observer.disconnect());
  if (focus) focusBlade(entry);
  return ctx;
}

function showBladeError(body, err) {
  console.error(err);
  replace(body, h('fluent-message-bar', { attrs: { intent: 'error', layout: 'multiline' } },
    `Something went wrong: ${engine.errorText(err)}`));
}

function close(entry) {
  const i = stack.indexOf(entry);
  if (i < 0) return;
  closeFrom(i);
  if (stack.length === 0) openAt(0, homeType, []);
  writeHash();
  renderCrumbs();
  focusBlade(stack[stack.length - 1]);
}

/** Opens a blade at the root (from the left navigation). */
export function openRoot(type, args = [], opts = {}) {
  const ctx = openAt(0, type, args, opts);
  writeHash();
  renderCrumbs();
  return ctx;
}

/** Opens a blade to the right of the last one (e.g. from a notification). */
export function openLast(type, args = [], opts = {}) {
  const ctx = openAt(stack.length, type, args, opts);
  writeHash();
  renderCrumbs();
  return ctx;
}

function renderCrumbs() {
  const items = stack.map((b, i) => {
    const last = i === stack.length - 1;
    const label = b.def.crumb || b.def.title;
    const node = last
      ? h('span', { class: 'crumb current', attrs: { 'aria-current': 'page' }, text: label })
      : h('a', {
        class: 'crumb',
        href: '#',
        text: label,
        on: {
          click: (ev) => {
            ev.preventDefault();
            closeFrom(i + 1);
            writeHash();
            renderCrumbs();
            focusBlade(stack[i]);
          },
        },
      });
    return h('li', {}, node);
  });
  replace(crumbsEl, h('ol', {}, items));
}

export function afterRestore() {
  renderCrumbs();
}

/** Builds a menu blade body: a vertical tab list on the left, content on the right. */
export function menuLayout(ctx, { label, items, selected, onSelect }) {
  const content = h('div', { class: 'menu-content', attrs: { role: 'tabpanel' } });
  const tabs = items.map((item) => {
    if (item.heading) return h('div', { class: 'menu-heading', attrs: { role: 'presentation' }, text: item.heading });
    const btn = h('button', {
      type: 'button',
      class: 'menu-item',
      attrs: { role: 'tab', 'aria-selected': 'false', 'data-menu': item.key },
    }, icon(item.icon || 'dot'), h('span', { text: item.label }));
    btn.addEventListener('click', () => select(item.key, true));
    return btn;
  });
  const list = h('div', { class: 'menu-list', attrs: { role: 'tablist', 'aria-orientation': 'vertical', 'aria-label': label } }, tabs);
  list.addEventListener('keydown', (ev) => {
    const buttons = [...list.querySelectorAll('.menu-item')];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    let next = -1;
    if (ev.key === 'ArrowDown') next = (i + 1) % buttons.length;
    if (ev.key === 'ArrowUp') next = (i - 1 + buttons.length) % buttons.length;
    if (next >= 0) {
      ev.preventDefault();
      buttons[next].focus();
    }
  });
  ctx.body.classList.add('with-menu');
  ctx.body.append(list, content);
  let disposers = [];
  const disposeView = () => {
    for (const d of disposers.splice(0)) {
      try {
        d();
      } catch (err) {
        console.error(err);
      }
    }
  };
  function select(key, user) {
    const item = items.find((x) => x.key === key) || items.find((x) => x.key);
    for (const t of list.querySelectorAll('.menu-item')) {
      const on = t.dataset.menu === item.key;
      t.setAttribute('aria-selected', String(on));
      t.tabIndex = on ? 0 : -1;
    }
    disposeView();
    // A link inside the view that chose another item ("Go to All products") is about to go: the
    // keyboard moves to the blade's heading instead of falling to the page's body.
    const focusLost = content.contains(document.activeElement);
    content.replaceChildren();
    ctx.toolbar.replaceChildren();
    if (user) ctx.closeChildren();
    // A view context: like the blade's, but its subscriptions end when another menu item is chosen.
    const view = {
      ...ctx,
      body: content,
      onChanged: (fn) => disposers.push(engine.on('changed', fn)),
      onProgress: (fn) => disposers.push(engine.on('progress', fn)),
      onDispose: (fn) => disposers.push(fn),
    };
    const r = onSelect(item, view);
    if (r && typeof r.catch === 'function') r.catch((err) => showBladeError(content, err));
    if (focusLost) ctx.el.querySelector('.blade-title')?.focus();
  }
  ctx.onDispose(disposeView);
  select(selected, false);
  return { select };
}

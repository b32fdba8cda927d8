// Small DOM helpers. Data is always written as text (textContent / attributes), never parsed as HTML.

/**
 * Creates an element. `props` keys: `class`, `text`, `on` ({event: handler}), `attrs`, `dataset`,
 * any other key is assigned as a property (e.g. `type`, `checked`, `disabled`, `tabIndex`).
 * Children may be nodes, strings (inserted as text nodes), arrays, null/undefined/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'attrs') {
      for (const [name, v] of Object.entries(value)) {
        if (v === false || v === null || v === undefined) continue;
        el.setAttribute(name, v === true ? '' : String(v));
      }
    } else if (key === 'dataset') Object.assign(el.dataset, value);
    else el[key] = value;
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings as text, nested arrays); falsy values are skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child of `el` and appends the given children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Fluent button. `appearance`: primary | outline | subtle | transparent. */
export function button(label, onClick, opts = {}) {
  const attrs = { appearance: opts.appearance || 'subtle', size: opts.size || 'medium' };
  if (opts.disabled) attrs.disabled = true;
  if (opts.ariaLabel) attrs['aria-label'] = opts.ariaLabel;
  if (opts.testid) attrs['data-testid'] = opts.testid;
  const el = h('fluent-button', { attrs, class: opts.class }, opts.icon ? icon(opts.icon, 'start') : null, label);
  el.addEventListener('click', (ev) => {
    if (el.hasAttribute('disabled')) return;
    onClick?.(ev);
  });
  return el;
}

/** Enables or disables a fluent-button. */
export function setDisabled(el, disabled) {
  el.toggleAttribute('disabled', !!disabled);
  if ('disabled' in el) el.disabled = !!disabled;
}

/** A small monochrome glyph drawn with CSS (class names in styles.css). */
export function icon(name, slot) {
  return h('span', { class: `icon icon-${name}`, attrs: { 'aria-hidden': 'true', slot } });
}

/** Fluent text input with a visible label; `onInput(value)` is called on every keystroke. */
export function textInput(label, opts = {}) {
  const attrs = { type: opts.type || 'text', placeholder: opts.placeholder || '', 'control-size': 'medium' };
  if (opts.testid) attrs['data-testid'] = opts.testid;
  if (opts.id) attrs.id = opts.id;
  const el = h('fluent-text-input', { attrs, class: opts.class }, opts.hideLabel ? h('span', { class: 'visually-hidden', text: label }) : label);
  if (opts.value) el.value = opts.value;
  if (opts.onInput) el.addEventListener('input', () => opts.onInput(el.value ?? ''));
  if (opts.onChange) el.addEventListener('change', () => opts.onChange(el.value ?? ''));
  return el;
}

/** Debounces a function by `ms` milliseconds. */
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Formats an integer with thousands separators (1,000). */
export function num(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return '';
  return Number(n).toLocaleString('en-US');
}

/** Formats an ISO date-time the way the portal lists them. */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString('en-US', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** "1 user" / "2 users" */
export function plural(n, one, many) {
  return `${num(n)} ${n === 1 ? one : many}`;
}

/** Saves a Blob as a file the person downloads (a Blob URL, revoked once the download started). */
export function downloadBlob(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, attrs: { download: name } });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves text as a file the person downloads. */
export function downloadText(name, text, type = 'text/plain') {
  downloadBlob(name, new Blob([text], { type }));
}

// A virtualized, paged list over plain DOM (@tanstack/virtual-core). Rows are fetched from the engine a
// page at a time (offset/limit) as they scroll into view, so a list of a million rows keeps about forty
// DOM rows alive. Keyboard: the list is one tab stop; arrows/Home/End/PageUp/PageDown move, Enter opens,
// Space selects.
// ARIA (the WAI-ARIA grid pattern): the scrolling element is the grid and the tab stop; it holds the
// column headers (sticky at its top) and the rows, and points at the active row with
// aria-activedescendant. The "N items" count is a status region below the grid, outside it.
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { h, num, replace } from './dom.js';

/**
 * A row's cell: its content, and its whole text as the tooltip, since a narrow column cuts it
 * ("Conflicting service …"): hovering shows all of it.
 */
function dataCell(column, content) {
  const cell = h('div', { class: ['cell', column.className], attrs: { role: 'gridcell' } }, content ?? '');
  const text = cell.textContent?.trim();
  if (text) cell.title = text;
  return cell;
}

const MAX_PIXELS = 33_000_000; // Chromium's element height limit is about 33.5M px
// The virtualizer keeps one measurement per row of the window: 100,000 rows keep its work on a
// change of window to a few milliseconds (at 900,000 it took 50 ms on a busy machine).
const MAX_WINDOW_ROWS = 100_000;

let tableSeq = 0;

/** Grid track of a column: fractions never grow past their share because of long content. */
function grid(width) {
  const w = width || '1fr';
  return /^[\d.]+fr$/.test(w) ? `minmax(0, ${w})` : w;
}

/**
 * @param {object} o
 * @param {string} o.label accessible name of the list
 * @param {{key:string,label:string,width?:string,sort?:string,render?:(item)=>any}[]} o.columns
 *   `sort`: the engine's column to order by (the query's `orderBy`)
 * @param {(offset:number, limit:number, orderBy:string)=>Promise<{total:number, items:any[]}>} o.fetch
 * @param {string} [o.order] the first order ("displayName desc"), '' for the list's own
 * @param {'none'|'multi'|'single'} [o.selection]
 * @param {(item)=>void} [o.onActivate]
 * @param {(selected:Map)=>void} [o.onSelectionChange]
 * @param {string} [o.emptyText]
 * @param {number} [o.rowHeight]
 * @param {number} [o.pageSize]
 */
export function createTable(o) {
  const id = `t${++tableSeq}`;
  const rowHeight = o.rowHeight || 36;
  const pageSize = o.pageSize || 100;
  const selection = o.selection || 'none';
  const getId = o.getId || ((item) => item.id);
  const selected = new Map();
  let fetchFn = o.fetch;
  let total = 0;
  let loaded = false;
  let generation = 0;
  let pages = new Map(); // page index -> items
  let stalePages = new Map();
  const inflight = new Map();
  let active = -1;
  let error = null;

  const template = [selection !== 'none' ? '40px' : null, ...o.columns.map((c) => grid(c.width))]
    .filter(Boolean)
    .join(' ');

  const headerCells = [];
  let headCheck = null;
  if (selection === 'multi') {
    headCheck = h('input', {
      type: 'checkbox',
      class: 'check',
      attrs: { 'aria-label': 'Select all loaded rows' },
      on: { change: () => toggleAllLoaded(headCheck.checked) },
    });
    headerCells.push(h('div', { class: 'cell check-cell', attrs: { role: 'columnheader' } }, headCheck));
  } else if (selection === 'single') {
    headerCells.push(h('div', { class: 'cell check-cell', attrs: { role: 'columnheader' } }, selectionHeaderText()));
  }
  // Sortable columns (`sort`: the engine's column name): the header is a button that orders the
  // list by it (again: the other way), and the footer's "Sort by" select does the same by keyboard
  // (the grid stays one tab stop). The order goes to the engine as `orderBy`.
  let order = o.order || '';
  const sortHeads = new Map(); // engine column -> {cell, arrow}
  for (const c of o.columns) {
    if (!c.sort) {
      headerCells.push(h('div', { class: 'cell', attrs: { role: 'columnheader' }, text: c.label }));
      continue;
    }
    const arrow = h('span', { class: 'sort-arrow', attrs: { 'aria-hidden': 'true' } });
    const sortButton = h('button', {
      type: 'button',
      class: 'sort-button',
      tabIndex: -1,
      attrs: { title: `Sort by ${c.label}` },
      on: { click: () => setOrder(orderColumn() === c.sort && !orderDescending() ? `${c.sort} desc` : c.sort) },
    }, c.label, arrow);
    const cell = h('div', { class: 'cell sortable', attrs: { role: 'columnheader', 'aria-sort': 'none' } }, sortButton);
    sortHeads.set(c.sort, { cell, arrow });
    headerCells.push(cell);
  }
  const sortable = o.columns.filter((c) => c.sort);
  const sortSelect = sortable.length
    ? h('select', {
      class: 'native-select sort-select',
      id: `${id}-sort`,
      on: { change: () => setOrder(sortSelect.value) },
    },
    h('option', { value: '', text: 'List order' }),
    sortable.flatMap((c) => [
      h('option', { value: c.sort, text: `${c.label}, ascending` }),
      h('option', { value: `${c.sort} desc`, text: `${c.label}, descending` }),
    ]))
    : null;
  const sortLabel = sortSelect
    ? h('span', { class: 'sort-label' }, h('label', { attrs: { for: sortSelect.id } }, 'Sort by'), sortSelect)
    : null;
  function orderColumn() {
    return order.split(' ')[0];
  }
  function orderDescending() {
    return / desc$/.test(order);
  }
  function paintOrder() {
    for (const [column, { cell, arrow }] of sortHeads) {
      const on = column === orderColumn();
      cell.setAttribute('aria-sort', on ? (orderDescending() ? 'descending' : 'ascending') : 'none');
      arrow.textContent = on ? (orderDescending() ? ' ↓' : ' ↑') : '';
    }
    if (sortSelect) sortSelect.value = order;
  }
  const header = h('div', { class: 'row header-row', attrs: { role: 'row', 'aria-rowindex': '1' } }, headerCells);
  header.style.gridTemplateColumns = template;

  const head = h('div', { class: 'table-head', attrs: { role: 'rowgroup' } }, header);
  const spacer = h('div', { class: 'table-spacer', attrs: { role: 'rowgroup' } });
  const scroller = h('div', {
    class: 'table-scroll',
    tabIndex: 0,
    attrs: { role: 'grid', 'aria-label': o.label, 'aria-multiselectable': selection === 'multi' ? 'true' : null, 'aria-rowcount': '1' },
  }, head, spacer);
  // The count (and a failure to load) is announced politely; the window buttons sit beside it.
  const status = h('span', { class: 'table-status', attrs: { role: 'status' } });
  const pagerSlot = h('span', { class: 'pager-slot' });
  const footer = h('div', { class: 'table-footer' }, status, pagerSlot);
  // The Sort by select sits beside the footer (the footer reads the count alone).
  const bottom = sortLabel ? h('div', { class: 'table-bottom' }, footer, sortLabel) : footer;
  const el = h('div', { class: 'table', attrs: { 'data-table': o.testid || null } }, scroller, bottom);

  const rowEls = new Map(); // index -> element
  if (o.minWidth) {
    // Wide lists scroll sideways inside the grid (header and rows together).
    el.classList.add('wide-table');
    head.style.minWidth = `${o.minWidth}px`;
    spacer.style.minWidth = `${o.minWidth}px`;
  }
  // The sticky header sits above the rows inside the scrolling grid: the virtualizer counts it as the
  // list's top margin, and scrolls a row up to just under it.
  let headHeight = rowHeight + 1;
  function measureHead() {
    const hh = head.offsetHeight;
    if (!hh || hh === headHeight) return;
    headHeight = hh;
    virt.setOptions({ ...virt.options, scrollMargin: headHeight, scrollPaddingStart: headHeight });
    virt._willUpdate();
  }

  const virt = new Virtualizer({
    count: 0,
    getScrollElement: () => scroller,
    estimateSize: () => rowHeight,
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    overscan: 8,
    initialRect: { width: 800, height: 400 },
    scrollMargin: headHeight,
    scrollPaddingStart: headHeight,
    onChange: () => render(),
  });
  const cleanup = virt._didMount();
  virt._willUpdate();

  // Chromium cannot lay out an element taller than ~33.5M px: beyond that many rows the list shows a
  // window of rows at a time (base .. base + maxRows) with buttons to move the window.
  let base = 0;
  function maxRows() {
    return Math.max(pageSize, Math.floor(Math.min(MAX_PIXELS / rowHeight, MAX_WINDOW_ROWS) / pageSize) * pageSize);
  }
  function windowCount() {
    return Math.max(0, Math.min(total - base, maxRows()));
  }

  function itemAt(index) {
    const p = Math.floor(index / pageSize);
    const page = pages.get(p) || stalePages.get(p);
    return page ? page[index - p * pageSize] : undefined;
  }

  async function loadPage(p) {
    if (pages.has(p) || inflight.has(p)) return;
    const gen = generation;
    const promise = (async () => {
      try {
        const res = await fetchFn(base + p * pageSize, pageSize, order);
        if (gen !== generation) return;
        error = null;
        pages.set(p, Array.isArray(res?.items) ? res.items : []);
        stalePages.delete(p);
        setTotal(Number(res?.total ?? 0));
      } catch (err) {
        if (gen !== generation) return;
        error = err;
        loaded = true;
        updateFooter();
      } finally {
        if (gen === generation) inflight.delete(p);
      }
    })();
    inflight.set(p, promise);
    await promise;
    if (gen === generation) render();
  }

  function setTotal(t) {
    loaded = true;
    if (t !== total || virt.options.count !== Math.max(0, Math.min(t - base, maxRows()))) {
      total = t;
      if (base >= total) base = Math.max(0, Math.floor((total - 1) / maxRows()) * maxRows());
      virt.setOptions({ ...virt.options, count: windowCount() });
      virt._willUpdate();
      scroller.setAttribute('aria-rowcount', String(total + 1));
    }
    if (active >= total) active = total - 1;
    updateFooter();
  }

  function updateFooter() {
    replace(pagerSlot);
    if (error) {
      replace(status, h('span', { class: 'error-text', text: `Could not load: ${error.message || error}` }));
      return;
    }
    if (!loaded) {
      replace(status, h('fluent-spinner', { attrs: { size: 'tiny', 'aria-hidden': 'true' } }), ' Loading…');
      return;
    }
    const parts = [];
    if (total === 0) parts.push(o.emptyText || 'No results');
    else parts.push(`${num(total)} ${total === 1 ? 'item' : 'items'}`);
    if (selection === 'multi' && selected.size) parts.push(` · ${num(selected.size)} selected`);
    const text = parts.join('');
    // Rewritten only when it changes, so a screen reader hears a new count once.
    if (status.textContent !== text || status.childElementCount) replace(status, text);
    if (total > maxRows()) {
      const prev = h('button', { type: 'button', class: 'link-button', text: 'Previous rows', disabled: base === 0 });
      const next = h('button', { type: 'button', class: 'link-button', text: 'Next rows', disabled: base + maxRows() >= total });
      prev.addEventListener('click', () => moveWindow(-1));
      next.addEventListener('click', () => moveWindow(1));
      pagerSlot.append(h('span', { class: 'pager' },
        ` · rows ${num(base + 1)}–${num(base + windowCount())} `, prev, ' ', next));
    }
  }

  function render() {
    const items = virt.getVirtualItems();
    spacer.style.height = `${virt.getTotalSize()}px`;
    const keep = new Set();
    for (const vi of items) {
      keep.add(vi.index);
      const p = Math.floor(vi.index / pageSize);
      if (!pages.has(p)) loadPage(p);
      const item = itemAt(vi.index);
      let row = rowEls.get(vi.index);
      const sig = item ? `${getId(item)}|${selected.has(getId(item))}` : 'loading';
      if (!row) {
        row = h('div', { class: 'row', attrs: { role: 'row' } });
        row.style.gridTemplateColumns = template;
        row.addEventListener('click', (ev) => onRowClick(ev, row));
        spacer.append(row);
        rowEls.set(vi.index, row);
      }
      row.style.transform = `translateY(${vi.start - headHeight}px)`;
      row.style.height = `${rowHeight}px`;
      row.dataset.index = String(vi.index);
      if (row.dataset.sig !== sig || row._item !== item) fillRow(row, vi.index, item);
      row.dataset.sig = sig;
      row.classList.toggle('active', vi.index === active);
    }
    for (const [index, row] of rowEls) {
      if (!keep.has(index)) {
        row.remove();
        rowEls.delete(index);
      }
    }
    if (headCheck) {
      const loadedIds = [...pages.values()].flat().map(getId);
      headCheck.checked = loadedIds.length > 0 && loadedIds.every((x) => selected.has(x));
    }
    // The active row, while it is in the document (a row scrolled far away is not).
    if (active >= 0 && rowEls.has(active)) scroller.setAttribute('aria-activedescendant', `${id}-r${active}`);
    else scroller.removeAttribute('aria-activedescendant');
  }

  function fillRow(row, index, item) {
    row._item = item;
    row.id = `${id}-r${index}`;
    row.setAttribute('aria-rowindex', String(base + index + 2));
    row.classList.toggle('active', index === active);
    if (!item) {
      row.classList.add('loading');
      row.removeAttribute('aria-selected');
      replace(row, h('div', { class: 'cell loading-cell', attrs: { role: 'gridcell' } }, h('span', { class: 'shimmer' })));
      return;
    }
    row.classList.remove('loading');
    const key = getId(item);
    const isSel = selected.has(key);
    row.classList.toggle('selected', isSel);
    if (selection !== 'none') row.setAttribute('aria-selected', String(isSel));
    const cells = [];
    if (selection !== 'none') {
      const name = o.nameOf ? o.nameOf(item) : item.displayName || key;
      const box = h('input', {
        type: selection === 'multi' ? 'checkbox' : 'radio',
        class: 'check',
        checked: isSel,
        tabIndex: -1,
        attrs: { 'aria-label': `Select ${name}`, name: selection === 'single' ? `${id}-pick` : null },
      });
      box.addEventListener('click', (ev) => {
        ev.stopPropagation();
        toggle(item, box.checked);
      });
      cells.push(h('div', { class: 'cell check-cell', attrs: { role: 'gridcell' } }, box));
    }
    for (const c of o.columns) cells.push(dataCell(c, c.render ? c.render(item, index) : item[c.key]));
    replace(row, cells);
  }

  function onRowClick(ev, row) {
    const index = Number(row.dataset.index);
    const item = row._item;
    if (!item) return;
    setActive(index, false);
    if (ev.target.closest('[data-activate]')) {
      o.onActivate?.(item);
      return;
    }
    if (ev.target.closest('button, a, fluent-button, input')) return;
    if (selection !== 'none') toggle(item, !selected.has(getId(item)));
    else o.onActivate?.(item);
  }

  function toggle(item, on) {
    const key = getId(item);
    if (selection === 'single') selected.clear();
    if (on) selected.set(key, item);
    else selected.delete(key);
    forceRender();
    updateFooter();
    o.onSelectionChange?.(selected);
  }

  function moveWindow(dir) {
    showWindow(Math.max(0, base + dir * maxRows()));
  }

  /** Shows the window of rows that starts at row `start` (a multiple of maxRows()). */
  function showWindow(start) {
    base = start;
    generation++;
    pages = new Map();
    stalePages = new Map();
    inflight.clear();
    active = -1;
    virt.setOptions({ ...virt.options, count: windowCount() });
    virt._willUpdate();
    virt.scrollToOffset(0);
    updateFooter();
    loadPage(0);
  }

  function toggleAllLoaded(on) {
    for (const page of pages.values()) for (const item of page) {
      if (on) selected.set(getId(item), item);
      else selected.delete(getId(item));
    }
    forceRender();
    updateFooter();
    o.onSelectionChange?.(selected);
  }

  function forceRender() {
    for (const row of rowEls.values()) row.dataset.sig = '';
    render();
  }

  function setActive(index, scroll = true) {
    if (total === 0) return;
    active = Math.max(0, Math.min(index, windowCount() - 1));
    if (scroll) virt.scrollToIndex(active, { align: 'auto' });
    // Only classes change: replacing the cells under the pointer would swallow the click.
    render();
  }

  /** Makes row `index` of the whole list the active one, moving the window when it is elsewhere. */
  function goToRow(index) {
    if (total === 0) return;
    const start = Math.floor(Math.max(0, Math.min(index, total - 1)) / maxRows()) * maxRows();
    if (start !== base) showWindow(start);
    setActive(index - base);
  }

  scroller.addEventListener('keydown', (ev) => {
    const visible = Math.max(1, Math.floor((scroller.clientHeight - headHeight) / rowHeight) - 1);
    const keys = {
      ArrowDown: () => setActive(active + 1),
      ArrowUp: () => setActive(Math.max(0, active - 1)),
      // Home and End reach the first and the last row of the whole list, whatever the window.
      Home: () => goToRow(0),
      End: () => goToRow(total - 1),
      PageDown: () => setActive(active + visible),
      PageUp: () => setActive(Math.max(0, active - visible)),
      Enter: () => {
        const item = itemAt(active);
        if (item) o.onActivate?.(item);
      },
      ' ': () => {
        const item = itemAt(active);
        if (item && selection !== 'none') toggle(item, !selected.has(getId(item)));
      },
    };
    if (keys[ev.key]) {
      ev.preventDefault();
      keys[ev.key]();
    }
  });
  scroller.addEventListener('focus', () => {
    if (active < 0 && total > 0) setActive(0);
  });

  function refresh() {
    generation++;
    stalePages = pages.size ? pages : stalePages;
    pages = new Map();
    inflight.clear();
    const first = virt.range ? Math.floor(virt.range.startIndex / pageSize) : 0;
    loadPage(first);
  }

  /** Orders the list by an engine column ("displayName", "displayName desc"; '' the list's order). */
  function setOrder(next) {
    order = next || '';
    paintOrder();
    setFetch(fetchFn);
  }

  function setFetch(fn) {
    fetchFn = fn;
    base = 0;
    generation++;
    pages = new Map();
    stalePages = new Map();
    inflight.clear();
    active = -1;
    loaded = false;
    updateFooter();
    virt.scrollToOffset(0);
    loadPage(0);
  }

  paintOrder();
  updateFooter();
  loadPage(0);
  // The first measurement happens once the list is in the document.
  requestAnimationFrame(() => {
    measureHead();
    virt._willUpdate();
    render();
  });

  return {
    el,
    selected,
    refresh,
    setFetch,
    setOrder,
    get order() {
      return order;
    },
    get total() {
      return total;
    },
    clearSelection() {
      selected.clear();
      forceRender();
      updateFooter();
      o.onSelectionChange?.(selected);
    },
    destroy() {
      generation++;
      cleanup?.();
    },
  };
}

/** A plain (non-virtual) table for short lists already in memory. */
export function simpleTable({ label, columns, items: initialItems, onActivate, emptyText, selection, getId, onSelectionChange, selected }) {
  let items = initialItems || [];
  const sel = selected || new Map();
  const key = getId || ((x) => x.id);
  const template = [selection ? '40px' : null, ...columns.map((c) => grid(c.width))].filter(Boolean).join(' ');
  const header = h('div', { class: 'row header-row', attrs: { role: 'row' } },
    selection ? h('div', { class: 'cell check-cell', attrs: { role: 'columnheader' } }, selectionHeaderText()) : null,
    columns.map((c) => h('div', { class: 'cell', attrs: { role: 'columnheader' }, text: c.label })));
  header.style.gridTemplateColumns = template;
  const body = h('div', { class: 'simple-body', attrs: { role: 'rowgroup' } });
  const paint = () => {
    const rows = items.map((item) => {
      const isSel = sel.has(key(item));
      const row = h('div', {
        class: ['row', isSel && 'selected', onActivate && 'clickable'],
        attrs: { role: 'row', 'aria-selected': selection ? String(isSel) : null },
      });
      row.style.gridTemplateColumns = template;
      if (selection) {
        const box = h('input', {
          type: selection === 'multi' ? 'checkbox' : 'radio',
          class: 'check',
          checked: isSel,
          attrs: { 'aria-label': `Select ${item.displayName || key(item)}` },
        });
        box.addEventListener('change', () => {
          if (selection === 'single') sel.clear();
          if (box.checked) sel.set(key(item), item);
          else sel.delete(key(item));
          paint();
          onSelectionChange?.(sel);
        });
        row.append(h('div', { class: 'cell check-cell', attrs: { role: 'gridcell' } }, box));
      }
      for (const c of columns) row.append(dataCell(c, c.render ? c.render(item) : item[c.key]));
      const toggleRow = () => {
        if (selection === 'single') sel.clear();
        if (sel.has(key(item))) sel.delete(key(item));
        else sel.set(key(item), item);
        paint();
        onSelectionChange?.(sel);
        body.querySelector(`[data-key="${CSS.escape(String(key(item)))}"]`)?.focus();
      };
      row.dataset.key = String(key(item));
      if (onActivate || selection) {
        row.tabIndex = 0;
        row.classList.add('clickable');
        row.addEventListener('click', (ev) => {
          if (ev.target.closest('[data-activate]') && onActivate) {
            onActivate(item);
            return;
          }
          if (ev.target.closest('input, fluent-button, button, a, fluent-switch')) return;
          if (selection) toggleRow();
          else onActivate(item);
        });
        row.addEventListener('keydown', (ev) => {
          if (ev.target !== row) return;
          if (ev.key === 'Enter' && onActivate) {
            ev.preventDefault();
            onActivate(item);
          } else if (ev.key === ' ' && selection) {
            ev.preventDefault();
            toggleRow();
          } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
            ev.preventDefault();
            (ev.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling)?.focus();
          }
        });
      }
      return row;
    });
    replace(body, rows.length ? rows : h('div', { class: 'empty', text: emptyText || 'No results' }));
  };
  paint();
  const el = h('div', { class: 'table simple', attrs: { role: 'grid', 'aria-label': label } },
    h('div', { class: 'table-head', attrs: { role: 'rowgroup' } }, header), body);
  // On a narrow page the table scrolls sideways within itself (styles.css); while it does, it is a
  // tab stop, so the keyboard can scroll it too.
  new ResizeObserver(() => {
    if (el.scrollWidth > el.clientWidth + 1) el.tabIndex = 0;
    else el.removeAttribute('tabindex');
  }).observe(el);
  return {
    el,
    selected: sel,
    repaint: paint,
    setItems(next) {
      items = next;
      paint();
    },
  };
}

/** The selection column's header: named for screen readers, empty to the eye (the column is boxes). */
function selectionHeaderText() {
  return h('span', { class: 'visually-hidden', text: 'Selected' });
}

/** A cell link that opens the row (click or Enter on the row). */
export function rowLink(text) {
  return h('span', { class: 'row-link', attrs: { 'data-activate': '' }, text });
}

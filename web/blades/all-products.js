// Licenses - All products: one row per product with Total / Assigned / Available / Expiring soon;
// select several and Assign; a product name opens its Licensed users / Licensed groups.
import { h, num, replace, button, setDisabled } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { simpleTable, rowLink } from '../lib/table.js';

export function renderAllProducts(view) {
  const selected = new Map();
  const assign = button('Assign', () => {
    view.open('assign', [[...selected.keys()].join(',')]);
  }, { icon: 'add', disabled: true, testid: 'assign' });
  const refresh = button('Refresh', () => load(), { icon: 'refresh' });
  view.toolbar.append(assign, refresh);
  const note = h('div', { class: 'message-slot', attrs: { role: 'status' } });
  const holder = h('div', { class: 'table-holder' });
  view.body.append(note, holder);
  const table = simpleTable({
    label: 'All products',
    selection: 'multi',
    getId: (p) => p.skuId,
    selected,
    items: [],
    columns: [
      { key: 'displayName', label: 'Name', width: '2.6fr', render: (p) => rowLink(p.displayName || p.skuPartNumber) },
      { key: 'total', label: 'Total', width: '0.7fr', className: 'num', render: (p) => num(p.total) },
      { key: 'assigned', label: 'Assigned', width: '0.8fr', className: 'num', render: (p) => num(p.assigned) },
      { key: 'available', label: 'Available', width: '0.8fr', className: 'num', render: (p) => num(p.available) },
      { key: 'expiringSoon', label: 'Expiring soon', width: '0.9fr', className: 'num', render: (p) => num(p.expiringSoon) },
    ],
    onActivate: (p) => view.open('product', [p.skuId, 'users']),
    onSelectionChange: () => setDisabled(assign, selected.size === 0),
  });
  holder.append(table.el);
  async function load() {
    const products = await engine.query({ query: 'products' });
    const list = Array.isArray(products) ? products : products?.items || [];
    for (const k of [...selected.keys()]) if (!list.some((p) => p.skuId === k)) selected.delete(k);
    table.setItems(list);
    setDisabled(assign, selected.size === 0);
    replace(note, list.length ? null : h('fluent-message-bar', { attrs: { intent: 'info' } }, 'This tenant has no products.'));
  }
  view.onChanged(load);
  return load();
}

// Microsoft 365 admin center: Billing > Licenses. The Subscriptions list: every product of the tenant
// with its Available licenses and Assigned licenses; a product's name opens its page (Users, Groups).
import { h, num, replace, button } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';
import { simpleTable, rowLink } from '../lib/table.js';

registerBlade('m365-licenses', () => ({
  title: 'Licenses',
  subtitle: 'Billing',
  size: 'wide',
  render(ctx) {
    const note = h('div', { class: 'message-slot', attrs: { role: 'status' } });
    const table = simpleTable({
      label: 'Subscriptions',
      getId: (p) => p.skuId,
      items: [],
      columns: [
        { key: 'displayName', label: 'Name', width: '2.6fr', render: (p) => rowLink(p.displayName || p.skuPartNumber) },
        { key: 'available', label: 'Available licenses', width: '1fr', className: 'num', render: (p) => num(p.available) },
        { key: 'assigned', label: 'Assigned licenses', width: '1fr', className: 'num', render: (p) => num(p.assigned) },
      ],
      emptyText: 'Your organization has no subscriptions.',
      onActivate: (p) => ctx.open('m365-product', [p.skuId, 'users']),
    });
    ctx.toolbar.append(button('Refresh', () => load(), { icon: 'refresh' }));
    ctx.body.append(
      h('p', { class: 'hint', text: 'Select a product to see who has its licenses and to assign them to users or groups.' }),
      note,
      h('h3', { class: 'section-title', text: 'Subscriptions' }),
      h('div', { class: 'table-holder', attrs: { 'data-testid': 'm365-subscriptions' } }, table.el));
    async function load() {
      const products = await engine.query({ query: 'products' });
      const list = Array.isArray(products) ? products : [];
      table.setItems(list);
      replace(note, list.length ? null : h('fluent-message-bar', { attrs: { intent: 'info' } }, 'This tenant has no products.'));
    }
    ctx.onChanged(load);
    return load();
  },
}));

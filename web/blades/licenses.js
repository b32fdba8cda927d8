// Licenses menu blade: Overview (groups with license errors) and All products.
import { h, num, replace } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade, menuLayout } from '../lib/shell.js';
import { renderAllProducts } from './all-products.js';
import { keyValue } from './common.js';

const items = [
  { key: 'overview', label: 'Overview', icon: 'info' },
  { heading: 'Manage' },
  { key: 'products', label: 'All products', icon: 'license' },
];

registerBlade('licenses', (args) => ({
  title: 'Licenses',
  size: 'wide',
  render(ctx) {
    const menu = menuLayout(ctx, {
      label: 'Licenses',
      items,
      selected: args[0] || 'overview',
      onSelect(item, view) {
        ctx.setTitle(`Licenses - ${item.label}`);
        ctx.setArgs([item.key]);
        if (item.key === 'products') return renderAllProducts(view);
        return renderOverview(view, () => menu.select('products', true));
      },
    });
  },
}));

function renderOverview(view, goProducts) {
  const box = h('div');
  view.body.append(box);
  async function load() {
    const [products, withErrors, licensed] = await Promise.all([
      engine.query({ query: 'products' }),
      engine.query({ query: 'groups', errorsOnly: true, limit: 1 }),
      engine.query({ query: 'groups', licensedOnly: true, limit: 1 }),
    ]);
    const list = Array.isArray(products) ? products : products?.items || [];
    const sum = (k) => list.reduce((a, p) => a + Number(p[k] || 0), 0);
    replace(box,
      withErrors.total
        ? h('fluent-message-bar', { attrs: { intent: 'warning', layout: 'multiline', 'data-testid': 'groups-with-errors' } },
          `${num(withErrors.total)} ${withErrors.total === 1 ? 'group has' : 'groups have'} members with license assignment errors. `,
          h('button', { type: 'button', class: 'link-button', text: 'Show groups with errors', on: { click: () => view.open('groups-errors') } }))
        : h('fluent-message-bar', { attrs: { intent: 'success' } }, 'No group has members with license errors.'),
      h('h3', { class: 'section-title', text: 'Summary' }),
      keyValue([
        ['Products', num(list.length)],
        ['Licenses purchased', num(sum('total'))],
        ['Licenses assigned', num(sum('assigned'))],
        ['Licenses available', num(sum('available'))],
        ['Groups with licenses', num(licensed.total)],
      ]),
      h('button', { type: 'button', class: 'link-button', text: 'Go to All products', on: { click: () => goProducts() } }));
  }
  view.onChanged(load);
  return load();
}

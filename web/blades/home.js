// Home: the portal dashboard with the tenant at a glance and the services used in the walkthrough.
import { h, num, replace, icon } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade } from '../lib/shell.js';

registerBlade('home', () => ({
  title: 'Home',
  subtitle: 'Dashboard',
  size: 'wide',
  render(ctx) {
    const summary = h('div', { class: 'tiles' });
    const services = h('div', { class: 'tiles' },
      tile('aad', 'Azure Active Directory', 'Users, groups, licenses, audit logs', () => ctx.open('aad')),
      tile('license', 'Licenses', 'All products, assign to groups', () => ctx.open('licenses', ['products'])),
      tile('users', 'Users and groups', 'All users, all groups', () => ctx.open('users-groups', ['groups'])),
      tile('doc', 'Tenant document', 'Import, export, reset to the sample', () => ctx.open('tenant')),
      tile('more', 'More services', 'Browse all services', () => ctx.open('services')));
    ctx.body.append(h('h3', { class: 'section-title', text: 'Azure services' }), services,
      h('h3', { class: 'section-title', text: 'Tenant' }), summary);
    async function load() {
      const t = await engine.query({ query: 'tenant' });
      replace(summary,
        stat('Organization', t.displayName),
        stat('Users', num(t.users)),
        stat('Groups', num(t.groups)),
        stat('Products', num(t.skus)),
        stat('License processing', t.pending ? 'In progress' : 'Idle'));
    }
    ctx.onChanged(load);
    return load();
  },
}));

function tile(iconName, title, text, onClick) {
  const b = h('button', { type: 'button', class: 'tile' }, icon(iconName), h('span', { class: 'tile-title', text: title }), h('span', { class: 'tile-text', text }));
  b.addEventListener('click', onClick);
  return b;
}

function stat(label, value) {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-label', text: label }), h('div', { class: 'stat-value', text: value ?? '' }));
}

registerBlade('services', () => ({
  title: 'All services',
  crumb: 'More services',
  size: 'small',
  render(ctx) {
    const all = [
      { name: 'Azure Active Directory', type: 'aad', args: [] },
      { name: 'Users and groups', type: 'users-groups', args: ['users'] },
      { name: 'Licenses', type: 'licenses', args: ['overview'] },
      { name: 'Audit logs', type: 'audit', args: [] },
      { name: 'Tenant document (import / export)', type: 'tenant', args: [] },
    ];
    const list = h('ul', { class: 'link-list' });
    const paint = (filter) => replace(list, all
      .filter((s) => s.name.toLowerCase().includes(filter.toLowerCase()))
      .map((s) => h('li', {}, h('button', {
        type: 'button',
        class: 'link-button',
        text: s.name,
        on: { click: () => ctx.open(s.type, s.args) },
      }))));
    const input = h('fluent-text-input', { attrs: { placeholder: 'Filter', 'aria-label': 'Filter services' } }, 'Filter services');
    input.addEventListener('input', () => paint(input.value || ''));
    ctx.body.append(input, list);
    paint('');
  },
}));

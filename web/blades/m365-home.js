// Microsoft 365 admin center: Home. Cards for the pages the group-licensing flow uses (Billing >
// Licenses, Users > Active users, Teams & groups > Active teams & groups), the tenant at a glance, and
// why licenses are assigned here today.
import { h, num, replace, icon } from '../lib/dom.js';
import * as engine from '../lib/engine.js';
import { registerBlade, openRoot } from '../lib/shell.js';

registerBlade('m365-home', () => ({
  title: 'Home',
  subtitle: 'Microsoft 365 admin center',
  size: 'wide',
  render(ctx) {
    const cards = h('div', { class: 'tiles' });
    const attention = h('div', { class: 'message-slot', attrs: { role: 'status' } });
    ctx.body.append(
      h('fluent-message-bar', { attrs: { intent: 'info', layout: 'multiline' } },
        'Since September 2024 licenses are assigned here, in the Microsoft 365 admin center: Microsoft Entra ID and the Azure portal no longer assign them in their pages (Microsoft Graph and PowerShell still do). Group-based licensing is a feature of Microsoft Entra ID.'),
      attention,
      h('h3', { class: 'section-title', text: 'Your organization' }), cards);
    async function load() {
      const [t, products, withErrors] = await Promise.all([
        engine.query({ query: 'tenant' }),
        engine.query({ query: 'products' }),
        engine.query({ query: 'groups', errorsOnly: true, limit: 1 }),
      ]);
      const list = Array.isArray(products) ? products : [];
      const sum = (k) => list.reduce((a, p) => a + Number(p[k] || 0), 0);
      replace(cards,
        card('license', 'Licenses', `${num(list.length)} products · ${num(sum('assigned'))} assigned · ${num(sum('available'))} available`, () => openRoot('m365-licenses')),
        card('user', 'Active users', `${num(t.users)} users`, () => openRoot('m365-users')),
        card('users', 'Active teams & groups', `${num(t.groups)} groups`, () => openRoot('m365-groups')),
        card('aad', 'Microsoft Entra ID', `${t.displayName || 'Directory'}: users, groups, audit logs`, () => openRoot('aad')));
      replace(attention, withErrors.total
        ? h('fluent-message-bar', { attrs: { intent: 'warning', layout: 'multiline' } },
          `${num(withErrors.total)} ${withErrors.total === 1 ? 'group has' : 'groups have'} members with license errors. `,
          h('button', { type: 'button', class: 'link-button', text: 'Show groups with errors', on: { click: () => openRoot('m365-groups', ['errors']) } }))
        : null);
    }
    ctx.onChanged(load);
    return load();
  },
}));

function card(iconName, title, text, onClick) {
  const b = h('button', { type: 'button', class: 'tile' }, icon(iconName), h('span', { class: 'tile-title', text: title }), h('span', { class: 'tile-text', text }));
  b.addEventListener('click', onClick);
  return b;
}
